"""The officers' forms for the PCAP's lots and award criteria on the tender page. Amounts,
weights and bounds are read as people type them here (``1.000,50``, ``12,5``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenders.award.models import Criterion
from tenders.process.money import MoneyFormField, NumberFormField


class LotForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "lot-%s")
        super().__init__(*args, **kwargs)

    title = forms.CharField(label=_("Title"), max_length=300)
    value = MoneyFormField(
        label=_("Value without VAT"), min_value=0, max_digits=14, decimal_places=2
    )
    duration_months = forms.IntegerField(
        label=_("Months"),
        min_value=1,
        max_value=600,
        initial=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_duration_months(self) -> int:
        # Twelve months unless said otherwise, as the API does.
        value = self.cleaned_data.get("duration_months")
        return 12 if value is None else value


class CriterionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "criterion-%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Criterion"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Criterion.Kind.choices)
    weight = NumberFormField(label=_("Weight (points)"), max_digits=6, decimal_places=2)
    formula = forms.ChoiceField(
        label=_("Formula"), required=False, choices=[("", "—"), *Criterion.Formula.choices]
    )
    lower = NumberFormField(label=_("Lower bound (linear)"), required=False)
    upper = NumberFormField(label=_("Upper bound (linear)"), required=False)
    threshold = NumberFormField(label=_("Threshold"), required=False)
    better = forms.ChoiceField(
        label=_("Better is"),
        required=False,
        choices=[("lower", _("lower")), ("higher", _("higher"))],
    )
    innovation = forms.BooleanField(label=_("Innovation criterion"), required=False)
    is_price = forms.BooleanField(label=_("This is the price"), required=False)

    def params(self) -> dict:
        """The formula's parameters from the bounds typed (none for a value judgement)."""
        data = self.cleaned_data
        params = {
            key: str(data[key])
            for key in ("lower", "upper", "threshold")
            if data.get(key) is not None
        }
        if params:
            params["better"] = data.get("better") or "lower"
        return params

    @classmethod
    def initial_for(cls, criterion: Criterion) -> dict:
        params = criterion.params or {}
        return {
            "name": criterion.name,
            "kind": criterion.kind,
            "weight": criterion.weight,
            "formula": criterion.formula,
            "lower": params.get("lower"),
            "upper": params.get("upper"),
            "threshold": params.get("threshold"),
            "better": params.get("better", "lower"),
            "innovation": criterion.innovation,
            "is_price": criterion.is_price,
        }
