"""Amount fields for forms and the API that read money the way people type it in Spain
(``1.000,50``, ``210.000 €``) as well as ``1000.50``; see ``common.parse_amount``."""

from django import forms
from rest_framework import serializers

from procurement.core.exceptions import ApplicationError
from tenders.process.common import clean_money


class MoneyField(serializers.DecimalField):
    """A DRF amount: text is read by ``clean_money``; ambiguous text gets a 400 saying how to
    write it. The schema is the DecimalField's, so clients see no change."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = str(clean_money(data, field=self.field_name or "value"))
            except ApplicationError as error:
                raise serializers.ValidationError(str(error.message)) from error
        return super().to_internal_value(data)


class MoneyFormField(forms.DecimalField):
    """A form amount, read the same way; the input is text so that browsers keep the dots."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(clean_money(value, field=self.label or "value"))
            except ApplicationError as error:
                raise forms.ValidationError(str(error.message)) from error
        return super().to_python(value)
