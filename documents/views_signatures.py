"""Pages for signatories: upload a document signed with one's own tool (AutoFirma or any PAdES
signer), download the newest signed copy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import selectors
from documents.signatures import document_signature_add, signed_copy
from procurement.core.exceptions import ApplicationError, NotFound


def _document(request, pk):
    try:
        return selectors.document_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_POST
def signature_add(request, pk):
    document = _document(request, pk)
    try:
        document_signature_add(
            actor=request.user, document=document, upload=request.FILES.get("file")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your signature on %(ref)s was validated and recorded.")
            % {"ref": document.reference},
        )
    return redirect("document-process", process_id=document.tender_id)


def signed_pdf(request, pk):
    """The newest signed copy, readable by whoever may read the document."""
    document = _document(request, pk)
    copy = signed_copy(document)
    if copy is None:
        raise Http404(_("The document has no signed copy yet."))
    return signed_copy_response(copy)


def signed_copy_response(copy) -> FileResponse:
    response = FileResponse(
        copy.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{copy.document.reference}-{copy.document.kind}-signed.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Document-SHA256"] = copy.sha256
    return response
