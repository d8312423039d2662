"""The forms of the phases pages: the call's phases and their criteria (officer), a supplier's
PCP offer, a phase contract's milestones and IPR terms (officer), a deliverable (supplier).
Amounts and points are read as people type them here (``50.000,00``, ``12,5``); the services
judge the rest (budgets, thresholds, milestones adding up to the price)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenders.phases.models import PhaseContract
from tenders.process.money import MoneyFormField, NumberFormField


class PhaseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "phase-%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Name"), max_length=200)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        min_value=1,
        max_value=3650,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    max_budget_per_supplier = MoneyFormField(
        label=_("Maximum budget per supplier without VAT"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    max_suppliers = forms.IntegerField(
        label=_("Suppliers who may start (phase 1) or continue into this phase"),
        min_value=1,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class PhaseCriterionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "phase-criterion-%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Criterion"), max_length=300)
    weight = NumberFormField(label=_("Weight (points)"), max_digits=6, decimal_places=2)
    threshold = NumberFormField(
        label=_("Threshold to be kept (points)"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("The least a supplier must score on it to continue; 0 if none."),
    )

    def clean_threshold(self):
        value = self.cleaned_data.get("threshold")
        return 0 if value is None else value


class MilestoneForm(forms.Form):
    """One payment milestone; a row left blank is no milestone."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    amount = MoneyFormField(
        label=_("Amount without VAT"), required=False, max_digits=14, decimal_places=2
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deliverable = forms.CharField(
        label=_("Deliverable it pays for"), max_length=300, required=False
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(key) for key in ("title", "amount", "due_date", "deliverable"))

    def clean(self):
        data = super().clean()
        if not self.is_blank():
            for key in ("title", "amount", "due_date", "deliverable"):
                if data.get(key) in (None, ""):
                    self.add_error(key, _("This field is required."))
        return data


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=1, max_num=50)


class ContractTermsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "terms-%s")
        super().__init__(*args, **kwargs)

    ipr_owner = forms.ChoiceField(label=_("Who owns the results"), choices=PhaseContract.Owner)
    buyer_licence = forms.CharField(
        label=_("The buyer's licence"), widget=forms.Textarea(attrs={"rows": 3})
    )
    call_back = forms.CharField(
        label=_("Call-back right"), widget=forms.Textarea(attrs={"rows": 3})
    )
    publication = forms.CharField(
        label=_("Publication rights"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DeliverableForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "deliverable-%s")
        super().__init__(*args, **kwargs)

    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("File"), required=False)


class PhaseOfferForm(forms.Form):
    """A supplier's offer: its R&D plan, its team and a price for each of the call's phases
    (``price_<number>``). Nothing is required to save a draft; submitting asks for all."""

    def __init__(self, *args, phases=(), **kwargs):
        kwargs.setdefault("auto_id", "offer-%s")
        super().__init__(*args, **kwargs)
        self.phases = list(phases)
        for phase in self.phases:
            self.fields[f"price_{phase.number}"] = forms.CharField(
                label=_("Price for phase %(number)s, %(name)s (without VAT)")
                % {"number": phase.number, "name": phase.name},
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    rd_plan = forms.CharField(
        label=_("R&D plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you will research and develop in each phase, and how."),
    )
    team = forms.CharField(
        label=_("Team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who does the work: people, their roles and experience."),
    )

    def prices(self) -> dict[str, str]:
        """The prices as typed, by phase number; the service reads and checks them."""
        return {
            str(phase.number): self.cleaned_data.get(f"price_{phase.number}", "")
            for phase in self.phases
        }
