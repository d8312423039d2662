"""An Atom feed of new publications: one entry per published step (OCDS release)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publication.portal.selectors import publications_latest
from tenders.procedures import TRANSITION_BY_NAME

TAG_LABELS = {
    "planning": gettext_lazy("Planning"),
    "planningUpdate": gettext_lazy("Planning update"),
    "tender": gettext_lazy("Tender"),
    "tenderUpdate": gettext_lazy("Tender update"),
    "tenderCancellation": gettext_lazy("Tender cancelled"),
    "award": gettext_lazy("Award"),
    "contract": gettext_lazy("Contract"),
}


class PublicationsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("OpenCPI: new publications")
    subtitle = gettext_lazy(
        "Needs, market consultations, tenders, awards and contracts of the cities' innovation "
        "procurement."
    )

    def link(self) -> str:
        return reverse("portal:home")

    def items(self):
        return publications_latest()

    def item_title(self, item) -> str:
        definition = TRANSITION_BY_NAME.get(item.audit_entry.name)
        step = definition.label if definition else TAG_LABELS.get(item.tag[0], item.tag[0])
        return _("%(city)s: %(title)s — %(step)s") % {
            "city": item.tender.city.name,
            "title": item.tender.title,
            "step": step,
        }

    def item_description(self, item) -> str:
        # Atom's summary is HTML: the description is text someone typed, escaped, never markup.
        return linebreaks(item.tender.description, autoescape=True)

    def item_link(self, item) -> str:
        return reverse("portal:process", args=[item.tender_id]) + f"#{item.release_id}"

    def item_guid(self, item) -> str:
        return item.release_id

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.created_at

    def item_categories(self, item):
        return [str(TAG_LABELS.get(tag, tag)) for tag in item.tag]


NOTICE_LABELS = {
    "E1": gettext_lazy("eForms notice E1: preliminary market consultation"),
    "16": gettext_lazy("eForms notice 16: contract notice"),
    "E3": gettext_lazy("eForms notice E3: call outside the directives"),
    "29": gettext_lazy("eForms notice 29: contract award notice"),
    "E4": gettext_lazy("eForms notice E4: award outside the directives"),
    "38": gettext_lazy("eForms notice 38: contract modification"),
}


class CityFeed(Feed):
    """A city's feed: its published steps, and one entry per valid eForms notice, whose link
    is the notice's XML (the file a platform or TED takes). A published step's entry reads as
    in ``PublicationsFeed``."""

    feed_type = Atom1Feed
    subtitle = PublicationsFeed.subtitle
    item_guid_is_permalink = False
    _releases = PublicationsFeed()

    def get_object(self, request, slug: str):
        from django.shortcuts import get_object_or_404

        from procurement.accounts.models import City

        return get_object_or_404(City, slug=slug)

    def title(self, city) -> str:
        return _("OpenCPI: publications of %(city)s") % {"city": city.name}

    def link(self, city) -> str:
        return reverse("portal:city", args=[city.slug])

    def items(self, city):
        from publication.eforms.selectors import notices_public_latest

        releases = list(publications_latest(city_id=city.pk))
        notices = list(notices_public_latest(city_id=city.pk))
        merged = sorted(
            [*releases, *notices],
            key=lambda item: item.built_at if _is_notice(item) else item.created_at,
            reverse=True,
        )
        return merged[:50]

    def item_title(self, item) -> str:
        if not _is_notice(item):
            return self._releases.item_title(item)
        label = NOTICE_LABELS.get(item.subtype, item.subtype)
        if item.changes_id:
            label = _("%(notice)s (change)") % {"notice": label}
        return _("%(city)s: %(title)s — %(step)s") % {
            "city": item.tender.city.name,
            "title": item.tender.title,
            "step": label,
        }

    def item_description(self, item) -> str:
        return linebreaks(item.tender.description, autoescape=True)

    def item_link(self, item) -> str:
        if not _is_notice(item):
            return self._releases.item_link(item)
        return reverse("api-tender-notice-xml", args=[item.tender_id, item.notice_id])

    def item_guid(self, item) -> str:
        return f"urn:uuid:{item.notice_id}" if _is_notice(item) else item.release_id

    def item_pubdate(self, item):
        return item.audit_entry.at if _is_notice(item) else item.date

    def item_updateddate(self, item):
        return item.built_at if _is_notice(item) else item.created_at

    def item_categories(self, item):
        if _is_notice(item):
            return ["eForms", f"eForms {item.subtype}"]
        return self._releases.item_categories(item)


def _is_notice(item) -> bool:
    return hasattr(item, "notice_id")
