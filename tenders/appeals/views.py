"""Web pages of special appeals: a process's appeals, where a bidder lodges one and an officer
records the tribunal's resolution, and the download of their files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.accounts.models import Membership
from procurement.core.exceptions import ApplicationError, NotFound
from tenders.appeals.api import appeal_file_response
from tenders.appeals.models import Appeal
from tenders.appeals.selectors import (
    appeal_document_get_for_user,
    appeal_get_for_user,
    appeals_for_user,
)
from tenders.appeals.services import appeal_lodge, appeal_resolve
from tenders.process.selectors import tender_get_for_user


def _tender(request, pk):
    try:
        return tender_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _page(request, tender, *, status=200, **extra):
    officer = request.user.has_perm("tenders.act_officer", tender)
    bidder = Membership.objects.filter(
        user=request.user, role=Membership.Role.REPRESENTATIVE
    ).exists()
    context = {
        "tender": tender,
        "appeals": list(appeals_for_user(user=request.user, tender=tender)),
        "officer": officer,
        "bidder": bidder,
        "acts": Appeal.Act.choices,
        "outcomes": [c for c in Appeal.Status.choices if c[0] != Appeal.Status.LODGED],
        **extra,
    }
    return render(request, "tenders/appeals/tender_appeals.html", context, status=status)


@login_required
def tender_appeals(request, pk: int):
    """A process's appeals (a bidder's own, or all of them for the city); ``POST`` lodges one."""
    tender, _private = _tender(request, pk)
    if request.method != "POST":
        return _page(request, tender)
    try:
        appeal_lodge(
            actor=request.user,
            tender=tender,
            act=request.POST.get("act", ""),
            grounds=request.POST.get("grounds", ""),
            measures=request.POST.get("measures", ""),
            uploads=request.FILES.getlist("files"),
        )
    except ApplicationError as error:
        status = error.status_code if error.status_code != 404 else 400
        return _page(
            request,
            tender,
            status=status,
            failed_detail=error.message,
            failed_reasons=error.reasons,
            posted=request.POST,
        )
    messages.success(request, _("Your special appeal is lodged."))
    return redirect("tender-appeals", pk=tender.pk)


@login_required
@require_POST
def appeal_resolve_view(request, pk: int):
    """An officer records the tribunal's resolution of one appeal."""
    try:
        appeal = appeal_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        appeal_resolve(
            actor=request.user,
            appeal=appeal,
            outcome=request.POST.get("outcome", ""),
            text=request.POST.get("text", ""),
            upload=request.FILES.get("file"),
        )
    except ApplicationError as error:
        status = error.status_code if error.status_code != 404 else 400
        tender, _private = _tender(request, appeal.tender_id)
        return _page(
            request,
            tender,
            status=status,
            failed_detail=error.message,
            failed_reasons=error.reasons,
            failed_appeal=appeal.pk,
            posted=request.POST,
        )
    messages.success(request, _("The tribunal's resolution is recorded."))
    return redirect("tender-appeals", pk=appeal.tender_id)


@login_required
def appeal_document(request, pk: int):
    try:
        document = appeal_document_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return appeal_file_response(document)
