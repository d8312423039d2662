"""Amount fields for forms and the API that read money the way people type it in Spain
(``1.000,50``, ``210.000 €``) as well as ``1000.50``; see ``common.parse_amount``."""

from django import forms
from rest_framework import serializers

from tenders.process.common import amount_refusal, parse_amount


class MoneyField(serializers.DecimalField):
    """A DRF amount: text is read by ``parse_amount``; ambiguous text gets a 400 saying how to
    write it. The schema is the DecimalField's, so clients see no change."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = str(parse_amount(data))
            except ValueError as error:
                refusal = amount_refusal(data, self.field_name or "value")
                raise serializers.ValidationError(str(refusal.message)) from error
        # Range and digits are the DecimalField's own checks, with its messages.
        return super().to_internal_value(data)


class MoneyFormField(forms.DecimalField):
    """A form amount, read the same way; the input is text so that browsers keep the dots."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_amount(value))
            except ValueError as error:
                refusal = amount_refusal(value, "value")
                raise forms.ValidationError(str(refusal.message)) from error
        return super().to_python(value)


# Points, weights, a formula's bounds: numbers typed the same way as amounts (12,5 · 1.000,50).
NumberField = MoneyField
NumberFormField = MoneyFormField
