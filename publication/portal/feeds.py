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
