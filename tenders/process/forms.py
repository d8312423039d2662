import datetime as dt
import zoneinfo

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tenders.procedures import PROCEDURE_CHOICES
from tenders.process.money import MoneyFormField


class CpvCodesField(forms.CharField):
    """CPV codes typed one per line or separated by commas; the page adds a picker that finds
    codes by number or words (``data-cpv-picker``, see ``opencpi.js``)."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(cpv_picker_attrs())
        return attrs

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def cpv_picker_attrs() -> dict:
    """The attributes that give a CPV field its picker (the search URL and its label)."""
    return {
        "data-cpv-picker": reverse_lazy("cpv-search"),
        "data-cpv-label": _("Find a CPV code by number or words"),
    }


class TenderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("The need"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text=_("What public-service need does the market not meet today?"),
    )
    procedure = forms.ChoiceField(label=_("Planned procedure"), choices=PROCEDURE_CHOICES)
    estimated_value = MoneyFormField(
        label=_("Estimated value without VAT"), min_value=0, max_digits=14, decimal_places=2
    )
    cpv_codes = CpvCodesField(
        label=_("CPV codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. 72000000-5"),
    )


class TenderEditForm(TenderForm):
    functional_specifications = forms.CharField(
        label=_("Functional specifications"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the solution must achieve, not how (LCSP art. 126.5.a)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["procedure"]


class AdvisersField(forms.CharField):
    """One adviser per line: “name — reason they were chosen”."""

    def to_python(self, value):
        advisers = []
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            name, _sep, reason = line.replace(" - ", " — ").partition("—")
            advisers.append({"name": name.strip(), "reason": reason.strip()})
        return advisers

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{a.get('name', '')} — {a.get('reason', '')}" for a in value)
        return value


class AwareDateTimeField(forms.DateTimeField):
    """A date and time, kept in UTC: PostgreSQL refuses the offsets beyond ±15:59 that Python
    accepts when someone types one (``…T10:00-20:00``)."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(dt.UTC)
        except OverflowError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class ConsultationForm(forms.Form):
    subject = forms.CharField(label=_("Object of the consultation"), max_length=300)
    background = forms.CharField(
        label=_("Background"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    opens_at = AwareDateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = AwareDateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    advisers = AdvisersField(
        label=_("External advisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name — why they were chosen (LCSP art. 115.1)."),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The consultation must close after it opens."))
        elif data.get("closes_at") and data["closes_at"] <= timezone.now():
            self.add_error("closes_at", _("The closing time has already passed."))
        for adviser in data.get("advisers") or []:
            if not adviser["name"] or not adviser["reason"]:
                self.add_error(
                    "advisers", _("Give each adviser's name and the reason, separated by “—”.")
                )
                break
        return data


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("Consultation report"),
        max_length=100000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Studies and authors, entities consulted, questions, non-confidential summary "
            "of the answers, and how they shaped the specifications (LCSP art. 115.3)."
        ),
    )


def local_datetime(value: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | str:
    """A ``datetime-local`` input read in the city's time zone; other text is passed on."""
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return naive if naive.tzinfo else naive.replace(tzinfo=zone)


class ProcessSearchForm(forms.Form):
    """The search of a list of processes (or of their consultations): what the web's GET form
    and the API's query parameters both accept. Every field may be left empty."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words of the title or description, or the process number."),
    )
    cpv = forms.CharField(label=capfirst(_("CPV code")), required=False, max_length=12)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    procedure = forms.ChoiceField(
        label=_("Procedure"), required=False, choices=[("", _("Any")), *PROCEDURE_CHOICES]
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cities=None, **kwargs) -> None:
        from tenders.procedures import STAGES

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("Any")), *STAGES]
        if cities is not None:  # (slug, name) pairs, read when the select is drawn (a kept
            # empty form is not drawn again: ``_process_search.html``)
            self.fields["city"].widget = forms.Select(choices=lambda: [("", _("Any")), *cities])

    def clean_cpv(self) -> str:
        cpv = self.cleaned_data["cpv"].strip()
        if cpv and not any(ch.isdigit() for ch in cpv.split("-")[0]):
            raise forms.ValidationError(_("Give a CPV code or its first digits, e.g. 72."))
        return cpv

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    @classmethod
    def asked(cls, query) -> bool:
        """Whether the query string carries the search (a page number alone, ``?page=2``, does
        not: that page's form stays empty, and is kept as such)."""
        return any(name in query for name in cls.base_fields)

    def search(self) -> dict:
        """The keywords of ``tender_list_for_user`` the valid form asks for."""
        data = self.cleaned_data
        return {
            "text": data.get("q", ""),
            "cpv": data.get("cpv", ""),
            "stage": data.get("stage", ""),
            "procedure": data.get("procedure", ""),
            "city": data.get("city", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.search().values())
