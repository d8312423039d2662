"""The pliegos of a process on the pages of ``tenders`` (which may not import ``documents``):
``{% load pliegos %}{% pliegos_of tender user %}`` lists what the user may read of them."""

from django import template

from documents.context import pliegos_required
from documents.kinds import KIND_BY_CODE
from documents.pliego_selectors import pliegos_for_process, pliegos_of_process
from procurement.core.exceptions import NotFound

register = template.Library()


@register.inclusion_tag("documents/_pliegos_panel.html")
def pliegos_of(tender, user, private=None):
    """``private``: the page has read ``tender`` for ``user`` through ``tender_get_for_user``
    and passes what it returned, so the process is not read and authorised again (``user`` may
    then be the page's user whose grants on the process are already read)."""
    try:
        if private is None:
            process, pliegos = pliegos_for_process(user=user, process_id=tender.pk)
        else:
            process, pliegos = pliegos_of_process(user=user, tender=tender, private=private)
    except NotFound:
        return {"pliegos": [], "process": None, "city": tender.city}
    kinds = [
        (code, KIND_BY_CODE[code].name(process.language))
        for code in pliegos_required(procedure=process.procedure)
    ]
    return {"pliegos": list(pliegos), "process": process, "city": tender.city, "kinds": kinds}
