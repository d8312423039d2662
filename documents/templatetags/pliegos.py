"""The pliegos of a process on the pages of ``tenders`` (which may not import ``documents``):
``{% load pliegos %}{% pliegos_of tender user %}`` lists what the user may read of them."""

from django import template

from documents.pliego_selectors import pliegos_for_process
from procurement.core.exceptions import NotFound

register = template.Library()


@register.inclusion_tag("documents/_pliegos_panel.html")
def pliegos_of(tender, user):
    try:
        process, pliegos = pliegos_for_process(user=user, process_id=tender.pk)
    except NotFound:
        return {"pliegos": [], "process": None, "city": tender.city}
    return {"pliegos": list(pliegos), "process": process, "city": tender.city, "tender": tender}
