"""Reads of eForms notices for a user: the valid notices of a published process for anyone who
may read it; every notice, with what failed, for the people of its city."""

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from procurement.core.exceptions import NotFound
from publication.models import Notice
from tenders.process.selectors import tender_get_for_user


def notices_for_user(*, user, tender_id) -> tuple[QuerySet[Notice], bool]:
    """The notices of process ``tender_id`` that ``user`` may see, and whether they see its
    private side (then invalid notices too, to mend). Missing and not-yours raise the same
    ``NotFound``; a process not yet published is nobody's but its city's."""
    tender, private = tender_get_for_user(user=user, pk=tender_id)
    notices = Notice.objects.filter(tender=tender).select_related("changes")
    if not private:
        notices = notices.filter(status=Notice.Status.VALID)
    return notices.order_by("built_at", "pk"), private


def notice_get_for_user(*, user, tender_id, notice_id) -> Notice:
    """A valid notice to download. An invalid one is not offered to anybody."""
    notices, _private = notices_for_user(user=user, tender_id=tender_id)
    notice = notices.filter(notice_id=str(notice_id), status=Notice.Status.VALID).first()
    if notice is None:
        raise NotFound(_("Notice not found."))
    return notice


def _explanation(rule: str) -> str:
    if rule.startswith("ND-"):
        return _("a required part of the notice is missing, or one is there that is not allowed")
    if rule == "XSD":
        return _("the XML does not follow the eForms schema")
    return _("the value is missing, not allowed here, or not one the rules accept")


def finding_words(finding: dict, *, language: str | None = None) -> str:
    """A finding as an officer reads it: the field's SDK label in their language, its id, and
    what is wrong, then the rule (e.g. "Teléfono (BT-503-Organization-Company): … BR-…")."""
    language = (language or translation.get_language() or "en")[:2]
    label = finding.get(f"field_name_{'es' if language == 'es' else 'en'}") or finding.get(
        "field_name"
    )
    field = finding.get("field") or ""
    rule = finding.get("id") or ""
    if label and field:
        subject = f"{label} ({field})"
    elif field:
        subject = field
    else:
        subject = _("Notice")
    return _("%(field)s: %(problem)s [rule %(rule)s, at %(where)s]") % {
        "field": subject,
        "problem": _explanation(rule),
        "rule": rule,
        "where": finding.get("location") or "/",
    }


def notices_all(*, city: str = "") -> QuerySet[Notice]:
    """Every notice of the public processes (valid and invalid), for the export command."""
    notices = Notice.objects.select_related("tender__city").filter(
        tender__first_published_at__isnull=False
    )
    if city:
        notices = (
            notices.filter(tender__city_id=int(city))
            if city.isdigit()
            else notices.filter(tender__city__slug=city)
        )
    return notices.order_by("tender_id", "built_at", "pk")


def notices_public_latest(*, city_id: int, limit: int = 50) -> QuerySet[Notice]:
    """The newest valid notices of a city's published processes, for its Atom feed."""
    return (
        Notice.objects.filter(
            tender__city_id=city_id,
            tender__first_published_at__isnull=False,
            status=Notice.Status.VALID,
        )
        .select_related("tender__city", "audit_entry")
        .order_by("-built_at", "-pk")[:limit]
    )
