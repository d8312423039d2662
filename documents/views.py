"""Pages for legal teams (library, editor with live preview, fields reference, diff and merge,
approval queue) and for everybody (a process's documents, verifying a document by its code or
hash)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import pliego_selectors, pliego_services, selectors, services
from documents.api import document_pdf_response
from documents.context import SCHEMA, Field, sample_context
from documents.kinds import FILE_KIND_CHOICES, KIND_BY_CODE, KIND_CHOICES, KINDS, Language
from documents.merge import sections_diff
from documents.renderer import PdfInput, render_pdf
from documents.sandbox import TemplateProblem, template_render_text
from documents.signatures import SIGNATORIES
from procurement.accounts.models import Membership
from procurement.accounts.selectors import cities_by_names
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.paging import page_rows
from procurement.core.public_cache import content_digest, user_page


def _or_404(function, **kwargs):
    try:
        return function(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def _problems(error: ApplicationError) -> list[dict]:
    return error.extra.get("problems") or [{"line": None, "message": error.message}]


@login_required
@user_page
def library(request):
    params = request.GET
    scope = params.get("scope", "")
    templates = selectors.template_library_for_user(
        user=request.user,
        scope=scope if scope in selectors.SCOPES else "",
        kind=params.get("kind", ""),
        language=params.get("language", ""),
        city=params.get("city", ""),
        network=params.get("network", ""),
        q=params.get("q", "").strip(),
    )
    pager = page_rows(request, templates)
    # The labels in the active language, translated once for the page rather than per row.
    kinds = [(code, str(label)) for code, label in KIND_CHOICES]
    languages = [(code, str(label)) for code, label in Language.choices]
    kind_labels, language_labels = dict(kinds), dict(languages)
    details = selectors.template_library_details([row["id"] for row in pager.rows])
    for row in pager.rows:
        more = details[row["id"]]
        own = 1 if row["city_id"] else 0
        row["cities_using"] = own + more["adopters_count"] + more["approvers_count"]
        row["documents_count"] = more["documents_count"]
        row["kind_label"] = kind_labels.get(row["kind"], row["kind"])
        row["language_label"] = language_labels.get(row["language"], row["language"])
    return render(
        request,
        "documents/library.html",
        {
            "templates": pager.rows,
            "rows_digest": content_digest(pager.rows),  # the rows are drawn when they change
            "pager": pager,
            "kinds": kinds,
            "languages": languages,
            "filters": params,
            # As ``services.legal_cities``, from the memberships the request already read.
            "can_write": any(
                m.city_id and m.role == Membership.Role.LEGAL for m in request.user.memberships_seen
            ),
        },
    )


@login_required
def template_new(request):
    if not services.legal_cities(request.user):
        raise Http404(_("Only a city's legal team may write templates."))
    errors = []
    if request.method == "POST":
        try:
            template = services.template_create(
                actor=request.user,
                kind=request.POST.get("kind", ""),
                language=request.POST.get("language", ""),
                name=request.POST.get("name", "").strip(),
            )
        except ApplicationError as error:
            errors = _problems(error)
        else:
            messages.success(request, _("The template was created from the default text."))
            return redirect("document-template-edit", pk=template.pk)
    return render(
        request,
        "documents/template_new.html",
        {"kinds": KIND_CHOICES, "languages": Language.choices, "errors": errors},
    )


@login_required
def template_detail(request, pk):
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "documents/template_detail.html",
        {
            "template": template,
            "kind": KIND_BY_CODE[template.kind],
            "versions": selectors.template_versions(template=template),
            "update": services.template_update_available(template),
            "can_change": user.has_perm("documents.change_documenttemplate", template),
            "can_approve": user.has_perm("documents.approve_documenttemplate", template),
            "can_share": user.has_perm("documents.share_documenttemplate", template),
            "legal_cities": services.legal_cities(user),
            "networks": template.city.networks.all() if template.city else [],
        },
    )


@login_required
def template_edit(request, pk):
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    if not request.user.has_perm("documents.change_documenttemplate", template):
        raise Http404(_("Template not found."))
    latest = template.versions.order_by("-number").first()
    source = request.POST.get("source", latest.source if latest else "")
    errors: list[dict] = []
    if request.method == "POST":
        try:
            version = services.template_version_create(
                actor=request.user,
                template=template,
                source=source,
                note=request.POST.get("note", ""),
            )
        except ApplicationError as error:
            errors = _problems(error)
        else:
            messages.success(
                request, _("Version %(number)s saved as a draft.") % {"number": version.number}
            )
            return redirect("document-template-detail", pk=template.pk)
    return render(
        request,
        "documents/template_edit.html",
        {
            "template": template,
            "source": source,
            "errors": errors,
            "preview": _preview(source, template.kind, template.language),
            "markup_help": _(
                "Markup: “# Heading” numbered section, “## Heading” numbered clause, “- item” "
                "bullet, “| a | b |” table row, **bold**; fields as {{ process.title }}, "
                "conditions {%% if … %%}, loops {%% for … %%}."
            ).replace("%%", "%"),
        },
    )


def _preview(source: str, kind: str, language: str) -> dict:
    return selectors.template_preview(source=source, kind=kind, language=language)


@login_required
@require_POST
def template_preview(request, pk):
    """The live preview (htmx): the text rendered with sample data, or its errors by line."""
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    preview = _preview(request.POST.get("source", ""), template.kind, template.language)
    return render(request, "documents/_preview.html", {"preview": preview})


@login_required
def template_preview_pdf(request, pk, number):
    """A version rendered as PDF with sample data."""
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    version = _or_404(selectors.template_version_get, template=template, number=number)
    context = sample_context(kind=template.kind, language=template.language)
    try:
        body = template_render_text(source=version.source, context=context)
    except TemplateProblem as problem:
        return HttpResponse(problem.message, status=422, content_type="text/plain; charset=utf-8")
    pdf = render_pdf(
        PdfInput(
            body=body,
            title=KIND_BY_CODE[template.kind].name(template.language),
            subject=context["process"]["title"],
            author=context["city"]["name"],
            language=template.language,
            document_id=_("PREVIEW"),
            verification_code="—",
            created_at=version.created_at,
            header=(
                context["city"]["name"],
                KIND_BY_CODE[template.kind].legal_basis_in(template.language),
            ),
            labels=services.FOOTER_LABELS.get(template.language, services.FOOTER_LABELS["en"]),
        )
    )
    return HttpResponse(pdf, content_type="application/pdf")


@login_required
@require_POST
def version_action(request, pk, number, action):
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    version = _or_404(selectors.template_version_get, template=template, number=number)
    actions = {
        "submit": (services.template_version_submit, _("Sent to legal review.")),
        "approve": (services.template_version_approve, _("Version approved.")),
        "retire": (services.template_version_retire, _("Version retired.")),
    }
    try:
        if action == "approve" and template.network_id is not None:
            services.template_approve_for_city(actor=request.user, version=version)
            messages.success(request, _("Approved for your city."))
        elif action in actions:
            function, message = actions[action]
            function(actor=request.user, version=version)
            messages.success(request, message)
        else:
            raise Http404
    except ApplicationError as error:
        messages.error(request, error.message)
    if request.POST.get("next") == "queue":
        return redirect("document-review-queue")
    return redirect("document-template-detail", pk=template.pk)


@login_required
@require_POST
def template_share(request, pk):
    """Cities come as the ticked ones already chosen (``cities``, their ids from the page) and
    the names a person picked or typed to add (``add_cities``, one per line or separated by
    semicolons); a name that matches no city, or several, changes nothing and is named back."""
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    chosen = [
        int(c)
        for value in request.POST.getlist("cities")
        for c in value.replace(" ", "").split(",")
        if c.isdigit()
    ]
    typed = request.POST.get("add_cities", "").replace(";", "\n").splitlines()
    added, unmatched = cities_by_names(typed)
    if unmatched:
        messages.error(
            request,
            _("No city is called: %(names)s. Pick each city from the list; nothing was changed.")
            % {"names": "; ".join(unmatched)},
        )
        return redirect("document-template-detail", pk=template.pk)
    try:
        services.template_share(
            actor=request.user,
            template=template,
            public=request.POST.get("public") == "on",
            networks=[int(n) for n in request.POST.getlist("networks") if n.isdigit()],
            cities=list(dict.fromkeys(chosen + added)),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sharing updated."))
    return redirect("document-template-detail", pk=template.pk)


@login_required
@require_POST
def template_adopt(request, pk):
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    try:
        copy = services.template_adopt(actor=request.user, template=template)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("document-template-detail", pk=template.pk)
    messages.success(request, _("Adopted: this copy is your city's; approve it before use."))
    return redirect("document-template-detail", pk=copy.pk)


@login_required
def template_merge(request, pk):
    """The source's new version: what changed per section, and the merge with conflicts."""
    template = _or_404(selectors.template_get_for_user, user=request.user, pk=pk)
    try:
        result, newest = services.template_merge_preview(template)
    except ApplicationError as error:
        messages.info(request, error.message)
        return redirect("document-template-detail", pk=template.pk)
    latest = template.versions.order_by("-number").first()
    base = latest.upstream.source if latest and latest.upstream else ""
    errors: list[dict] = []
    if request.method == "POST":
        resolutions = {
            s.key: request.POST.get(f"resolution-{i}", "")
            for i, s in enumerate(result.sections)
            if s.conflict
        }
        try:
            version = services.template_merge(
                actor=request.user, template=template, resolutions=resolutions
            )
        except ApplicationError as error:
            errors = _problems(error)
        else:
            messages.success(
                request,
                _("Merged into draft version %(number)s; review and approve it.")
                % {"number": version.number},
            )
            return redirect("document-template-detail", pk=template.pk)
    return render(
        request,
        "documents/template_merge.html",
        {
            "template": template,
            "newest": newest,
            "their_changes": sections_diff(base, newest.source),
            "our_changes": sections_diff(base, latest.source if latest else ""),
            "sections": list(enumerate(result.sections)),
            "clean": result.clean,
            "errors": errors,
        },
    )


def _field_rows(fields: dict[str, Field], prefix: str = "") -> list[tuple[str, Field]]:
    rows = []
    for name, field in fields.items():
        path = f"{prefix}{name}"
        rows.append((path, field))
        if field.fields:
            # Items of a list are reached in a loop: {% for p in participants %}{{ p.name }}.
            rows.extend(
                _field_rows(field.fields, f"{path}[]." if field.type == "list" else f"{path}.")
            )
    return rows


def fields_reference(request, kind=""):
    """What each kind's templates may use, with the sample values the preview shows."""
    kinds = [KIND_BY_CODE[kind]] if kind in KIND_BY_CODE else list(KINDS)
    return render(
        request,
        "documents/fields.html",
        {
            "sections": [(k, _field_rows(SCHEMA[k.code])) for k in kinds],
            "kinds": KINDS,
            "selected": kind,
        },
    )


@login_required
def review_queue(request):
    return render(
        request, "documents/review_queue.html", selectors.review_queue_for_user(user=request.user)
    )


def process_documents(request, process_id):
    ref, private, documents = _or_404(
        selectors.documents_for_process, user=request.user, process_id=process_id
    )
    if request.method == "POST" and private:
        try:
            services.document_order(
                actor=request.user,
                process_id=ref.id,
                kind=request.POST.get("kind", ""),
                language=request.POST.get("language", ""),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document is being made."))
        return redirect("document-process", process_id=ref.id)
    return render(
        request,
        "documents/process_documents.html",
        {
            "process": ref,
            "private": private,
            "documents": documents.prefetch_related("signatures"),
            "signable": SIGNATORIES,
            "kinds": KIND_CHOICES,
            "languages": Language.choices,
            # The legal report and the credit certificate, uploaded signed by the legal team.
            "file_documents": (
                selectors.file_documents_for_user(user=request.user, process_id=ref.id)
                if private
                else []
            ),
            "file_kinds": FILE_KIND_CHOICES,
        },
    )


def document_pdf(request, pk):
    document = _or_404(selectors.document_get_for_user, user=request.user, pk=pk)
    try:
        return document_pdf_response(document)
    except NotFound as error:
        raise Http404(error.message) from error


def verify(request):
    """Anybody checks a document by its printed verification code or its SHA-256."""
    from documents.verification import document_verify

    value = (request.GET.get("code") or request.GET.get("sha256") or "").strip()
    result = document_verify(value=value) if value else None
    return render(request, "documents/verify.html", {"value": value, "result": result})


# --- pliegos: the forms on the process page (each has its API operation) -------------------------


def _pliego_back(process_id: int):
    return redirect(f"{reverse('tender-detail', args=[process_id])}#pliegos")


def _uploaded(request) -> bytes | None:
    upload = request.FILES.get("file")
    if upload is None:
        return None
    return upload.read(pliego_services.MAX_UPLOAD_BYTES + 1)


@login_required
@require_POST
def pliego_create(request, process_id):
    """Upload a signed PDF or generate from the city's template (API: POST …/pliegos/)."""
    try:
        pliego_services.pliego_create(
            actor=request.user,
            process_id=process_id,
            kind=request.POST.get("kind", ""),
            upload=_uploaded(request),
            filename=getattr(request.FILES.get("file"), "name", ""),
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The new version is ready for the legal team's approval."))
    return _pliego_back(process_id)


@login_required
@require_POST
def pliego_approve(request, process_id, pk):
    """The legal team approves a draft (API: POST …/pliegos/{pk}/approve/)."""
    _process, pliego = _or_404(
        pliego_selectors.pliego_get_for_user, user=request.user, process_id=process_id, pk=pk
    )
    try:
        pliego_services.pliego_approve(actor=request.user, pliego=pliego)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved: this version is frozen (LCSP art. 122.1)."))
    return _pliego_back(process_id)


@login_required
@require_POST
def pliego_amend(request, process_id, pk):
    """Correct a published pliego (API: POST …/pliegos/{pk}/amend/)."""
    _process, pliego = _or_404(
        pliego_selectors.pliego_get_for_user, user=request.user, process_id=process_id, pk=pk
    )
    significant = request.POST.get("significant") in ("on", "true", "1")
    new_deadline = None
    raw = request.POST.get("new_deadline", "").strip()
    if raw:
        new_deadline = parse_datetime(raw)
        if new_deadline is not None and timezone.is_naive(new_deadline):
            new_deadline = timezone.make_aware(new_deadline, pliego_city_zone(pliego))
        if new_deadline is None:
            messages.error(request, _("The new deadline is not a date and time."))
            return _pliego_back(process_id)
    try:
        pliego_services.pliego_amend(
            actor=request.user,
            pliego=pliego,
            changes=request.POST.get("changes", ""),
            significant=significant,
            new_deadline=new_deadline,
            upload=_uploaded(request),
            filename=getattr(request.FILES.get("file"), "name", ""),
        )
    except ApplicationError as error:
        messages.error(request, " ".join([error.message, *getattr(error, "reasons", [])]))
    else:
        messages.success(request, _("The correction is published."))
    return _pliego_back(process_id)


def pliego_city_zone(pliego):
    from documents.context import city_zone

    return city_zone(process_id=pliego.tender_id)
