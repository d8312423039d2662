"""Pages for signatories: upload a document signed with one's own tool (AutoFirma or any PAdES
signer), download the newest signed copy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import file_documents, selectors
from documents.models import FileDocument
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


# --- documents of the file that arrive signed (API: POST /api/v1/tenders/{id}/file-documents/) --


@login_required
@require_POST
def file_document_upload(request, process_id):
    """The legal team uploads the signed legal report or credit certificate (LCSP DA 3ª.8 and
    art. 116.3)."""
    try:
        document = file_documents.file_document_upload(
            actor=request.user,
            process_id=process_id,
            kind=request.POST.get("kind", ""),
            upload=request.FILES.get("file"),
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The signature of %(name)s was validated and %(ref)s added to the file.")
            % {"name": document.signer_name, "ref": document.reference},
        )
    return redirect("document-process", process_id=process_id)


@login_required
def file_document_pdf(request, process_id, pk):
    """A signed document of the file, for the process's city only."""
    try:
        document = selectors.file_documents_for_user(user=request.user, process_id=process_id).get(
            pk=pk
        )
    except (NotFound, FileDocument.DoesNotExist, ValueError) as error:
        raise Http404(_("Document not found.")) from error
    return file_document_response(document)


def file_document_response(document) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{document.reference}-{document.kind}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Document-SHA256"] = document.sha256
    return response
