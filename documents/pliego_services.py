"""The pliegos of a process's file: made, approved, published with the tender notice, corrected.

A pliego version is generated from the city's approved template of its kind (the same renderer
and process context as every legal document) or uploaded as a signed PDF by an officer, approved
by the city's legal team before the file is (LCSP arts. 116, 117, 122 and 124; the
``approve_file`` guard asks ``pliegos_missing`` through ``workflows.requirements``), published
with the tender notice (LCSP arts. 63.3 and 138.1) and, after the file's approval, changed only
by a correction published as a new version (LCSP art. 122.1). A significant correction extends
the bid deadline through the engine's own step (LCSP art. 136.2), and every supplier who
downloaded an earlier version is told.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents import context as contexts
from documents.kinds import KIND_BY_CODE, Language
from documents.models import DocumentTemplate, Pliego, PliegoDownload
from documents.renderer import PdfInput, render_pdf
from documents.sandbox import TemplateProblem, template_render_text
from documents.services import FOOTER_LABELS, template_version_pick
from procurement.accounts.models import Membership, User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from procurement.core.models import AuditEntry
from workflows.status import status_change

# A signed PDF of pliegos is text and a signature; a bigger file is a mistake, not a pliego.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ARTICLES = "LCSP arts. 116, 117, 122 and 124"


# --- the requirement the approve_file guard asks about -----------------------------------------


def pliegos_missing(process, *, kinds: tuple[str, ...]) -> list[str]:
    """Why the file of ``process`` lacks its approved pliegos: one reason per kind with no
    version approved by the legal team (registered as ``workflows.requirements`` check)."""
    approved = set(
        Pliego.objects.filter(
            tender_id=process.pk,
            kind__in=kinds,
            status__in=(Pliego.Status.APPROVED, Pliego.Status.PUBLISHED),
        ).values_list("kind", flat=True)
    )
    return [
        _(
            "The file has no %(kind)s approved by the legal team: generate or upload it and "
            "have it approved before the file (%(articles)s)."
        )
        % {
            "kind": KIND_BY_CODE[kind].name(translation.get_language() or "es"),
            "articles": ARTICLES,
        }
        for kind in kinds
        if kind not in approved
    ]


# --- helpers -----------------------------------------------------------------------------------


def _process_for_officer(actor: User, process_id: int) -> contexts.PliegoProcess:
    process = contexts.pliego_process_for_user(user=actor, process_id=process_id)
    if not process.private:
        raise NotFound(_("Process not found."))
    if not process.is_officer:
        raise PermissionDenied(
            _("Only procurement officers of the process's city may prepare its pliegos.")
        )
    return process


def _kind_checked(process: contexts.PliegoProcess, kind: str) -> str:
    required = contexts.pliegos_required(procedure=process.procedure)
    if kind not in required:
        raise ApplicationError(
            _("This procedure's pliegos are: %(kinds)s.")
            % {"kinds": ", ".join(KIND_BY_CODE[k].name(process.language) for k in required)},
            extra={"field": "kind"},
        )
    return kind


def _pdf_checked(data: bytes) -> bytes:
    if not data:
        raise ApplicationError(_("Choose the signed PDF to upload."), extra={"field": "file"})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            extra={"field": "file"},
        )
    if not data.startswith(b"%PDF-"):
        raise ApplicationError(
            _("The pliegos are published as PDF: the file is not a PDF."), extra={"field": "file"}
        )
    return data


def _render(
    process: contexts.PliegoProcess,
    kind: str,
    template: DocumentTemplate | None,
    now: dt.datetime | None = None,
) -> tuple[bytes, object]:
    """The PDF of ``kind`` from the city's approved template and the process as it is ``now``
    (default: the present)."""
    if template is not None and template.kind != kind:
        raise ApplicationError(
            _("The template is for another kind of document."), extra={"field": "template"}
        )
    language = template.language if template is not None else process.language
    if language not in Language.values:
        language = Language.ES
    version = template_version_pick(
        city_id=process.city_id, kind=kind, language=language, template=template
    )
    if version is None:
        raise Conflict(
            _(
                "No approved template for “%(kind)s” in this language: the city's legal team "
                "must approve one, or upload the signed PDF instead."
            )
            % {"kind": KIND_BY_CODE[kind].name(language)}
        )
    now = now or timezone.now()
    data = contexts.process_context(process_id=process.id, kind=kind, language=language, at=now)
    try:
        body = template_render_text(source=version.source, context=data)
    except TemplateProblem as problem:
        raise Conflict(problem.message) from problem
    code = secrets.token_hex(5).upper()
    pdf = render_pdf(
        PdfInput(
            body=body,
            title=KIND_BY_CODE[kind].name(language),
            subject=process.title,
            author=data.get("city", {}).get("name", ""),
            language=language,
            document_id=f"PLIEGO-{process.id:06d}-{kind}",
            verification_code=f"{code[:5]}-{code[5:]}",
            created_at=now,
            header=(
                data.get("city", {}).get("name", ""),
                KIND_BY_CODE[kind].legal_basis_in(language),
            ),
            labels=FOOTER_LABELS.get(language, FOOTER_LABELS["en"]),
        )
    )
    return pdf, version


def _store(
    *,
    actor: User,
    process: contexts.PliegoProcess,
    kind: str,
    pdf: bytes,
    filename: str,
    source: str,
    template_version=None,
    amends: Pliego | None = None,
    changes: str = "",
    significant: bool = False,
    new_deadline: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Pliego:
    """A new version of ``kind`` (the process row locked by the caller), stored privately."""
    last = Pliego.objects.filter(tender_id=process.id, kind=kind).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    digest = hashlib.sha256(pdf).hexdigest()
    pliego = Pliego(
        tender_id=process.id,
        kind=kind,
        number=number,
        source=source,
        template_version=template_version,
        filename=(filename or f"{kind}-v{number}.pdf")[:200],
        size=len(pdf),
        sha256=digest,
        amends=amends,
        changes=changes,
        significant=significant,
        new_deadline=new_deadline,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    pliego.file.save(
        f"{process.id}/{kind}-v{number}-{digest[:12]}.pdf", ContentFile(pdf), save=False
    )
    pliego.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=pliego,
        name="pliego_create",
        to_state=pliego.status,
        legal_basis=KIND_BY_CODE[kind].legal_basis,
        data={"kind": kind, "number": number, "sha256": digest, "source": source},
        at=pliego.created_at,
    )
    return pliego


def _supersede_earlier(*, actor: User, pliego: Pliego) -> None:
    """The earlier versions of the kind stay readable, marked as superseded by this one."""
    earlier = Pliego.objects.filter(
        tender_id=pliego.tender_id, kind=pliego.kind, number__lt=pliego.number
    ).exclude(status=Pliego.Status.SUPERSEDED)
    for old in earlier:
        status_change(
            old,
            move="pliego_supersede",
            actor=actor,
            data={"by": pliego.number},
            now=pliego.created_at,
        )


# --- writes ------------------------------------------------------------------------------------


def pliego_create(
    *,
    actor: User,
    process_id: int,
    kind: str,
    upload: bytes | None = None,
    filename: str = "",
    template: DocumentTemplate | None = None,
    now: dt.datetime | None = None,
) -> Pliego:
    """A new draft version of one of the process's pliegos: the signed PDF ``upload`` or, without
    one, generated from the city's approved template (``template`` or the city's own of the
    kind). Earlier versions are superseded. Only before the file is approved: after it the
    pliegos change only by correction (LCSP art. 122.1). Made at ``now`` (default: the
    present)."""
    process = _process_for_officer(actor, process_id)
    _kind_checked(process, kind)
    if process.file_approved:
        raise Conflict(
            _(
                "The file is approved: its pliegos change only by correcting the published "
                "version (LCSP art. 122.1)."
            )
        )
    if upload is not None:
        pdf, version, source = _pdf_checked(upload), None, Pliego.Source.UPLOADED
    else:
        pdf, version = _render(process, kind, template, now)
        source = Pliego.Source.GENERATED
    with transaction.atomic():
        contexts.process_lock(process.id)
        pliego = _store(
            actor=actor,
            process=process,
            kind=kind,
            pdf=pdf,
            filename=filename,
            source=source,
            template_version=version,
            now=now,
        )
        _supersede_earlier(actor=actor, pliego=pliego)
    return pliego


def pliego_approve(*, actor: User, pliego: Pliego, now: dt.datetime | None = None) -> Pliego:
    """The city's legal team approves a draft version (at ``now``, default the present); it is
    frozen from then on."""
    process = contexts.pliego_process_for_user(user=actor, process_id=pliego.tender_id)
    if not process.private:
        raise NotFound(_("Pliego not found."))
    if not process.is_legal:
        raise PermissionDenied(
            _("Only the city's legal team approves the pliegos (LCSP art. 122.1 and DA 3ª.8).")
        )
    with transaction.atomic():
        contexts.process_lock(process.id)
        return status_change(
            pliego,
            move="pliego_approve",
            actor=actor,
            data={"kind": pliego.kind, "number": pliego.number, "sha256": pliego.sha256},
            now=now,
        )


def pliegos_publish(*, process_id: int) -> list[Pliego]:
    """Publish the approved pliegos with the tender notice, at the notice step's time (LCSP
    arts. 63.3 and 138.1). Idempotent. The subscribed suppliers hear of them in the one alert
    of the publication (``tenders.notifications.tender_published_notify``), not twice."""
    step = contexts.process_notice_step(process_id=process_id)
    if step is None:
        return []
    published = []
    with transaction.atomic():
        contexts.process_lock(process_id)
        approved = Pliego.objects.filter(tender_id=process_id, status=Pliego.Status.APPROVED)
        for pliego in approved:
            published.append(
                status_change(pliego, move="pliego_publish", now=step.at, data={"step": step.pk})
            )
    return published


def _portal_url(process_id: int) -> str:
    base = getattr(settings, "OPENCPI_PUBLIC_URL", "").rstrip("/")
    return f"{base}/portal/processes/{process_id}/"


def _representatives(supplier_id: int):
    return Membership.objects.filter(
        supplier_id=supplier_id, role=Membership.Role.REPRESENTATIVE
    ).values_list("user_id", flat=True)


def pliego_corrected_effect() -> str:
    # Declared with the app's effects; read here, not imported at the top: documents.effects
    # imports the tasks, which import these services.
    from documents.effects import PLIEGO_CORRECTED

    return PLIEGO_CORRECTED


def pliego_amend(
    *,
    actor: User,
    pliego: Pliego,
    changes: str,
    significant: bool = False,
    new_deadline: dt.datetime | None = None,
    upload: bytes | None = None,
    filename: str = "",
    template: DocumentTemplate | None = None,
) -> Pliego:
    """Correct a published pliego (LCSP art. 122.1): a new version, published at once with what
    changed, superseding the old one, which stays readable. A significant change extends the bid
    deadline to ``new_deadline`` through the engine (LCSP art. 136.2). Suppliers who downloaded
    an earlier version of it are told by e-mail."""
    process = _process_for_officer(actor, pliego.tender_id)
    if process.noticed_at is None:
        raise Conflict(
            _(
                "Only published pliegos are corrected; before the file is approved, upload or "
                "generate a new version instead (LCSP art. 122.1)."
            )
        )
    changes = (changes or "").strip()
    if not changes:
        raise ApplicationError(
            _("Say what the correction changes: it is published with it (LCSP art. 122.1)."),
            extra={"field": "changes"},
        )
    if significant:
        if new_deadline is None:
            raise ApplicationError(
                _(
                    "A significant change extends the bid deadline: give the new deadline (LCSP art. 136.2)."
                ),
                extra={"field": "new_deadline"},
            )
        if timezone.is_naive(new_deadline):
            raise ApplicationError(
                _("The deadline must be a date and time with its time zone."),
                extra={"field": "new_deadline"},
            )
        if not process.deadline_extendable:
            raise Conflict(
                _("The bid deadline can no longer be extended in this state (LCSP art. 136.2).")
            )
    else:
        new_deadline = None
    if upload is not None:
        pdf, version, source = _pdf_checked(upload), None, Pliego.Source.UPLOADED
    else:
        pdf, version = _render(process, pliego.kind, template)
        source = Pliego.Source.GENERATED
    # One moment for the extension, the new version and its publication: the extension's
    # release lists the correction it was made for.
    now = timezone.now()
    with transaction.atomic():
        contexts.process_lock(process.id)
        # The notice step's handler may not have run yet: publish what it would have first.
        pliegos_publish(process_id=process.id)
        current = Pliego.objects.select_for_update().get(pk=pliego.pk)
        if current.status != Pliego.Status.PUBLISHED:
            raise Conflict(
                _("Only the current published version can be corrected (LCSP art. 122.1).")
            )
        if significant:
            contexts.process_deadline_extend(
                actor=actor,
                process_id=process.id,
                deadline=new_deadline,
                reason=_("Significant correction of the pliegos: %(changes)s")
                % {"changes": changes},
                now=now,
            )
        new = _store(
            actor=actor,
            process=process,
            kind=pliego.kind,
            pdf=pdf,
            filename=filename,
            source=source,
            template_version=version,
            amends=current,
            changes=changes,
            significant=significant,
            new_deadline=new_deadline,
            now=now,
        )
        new = status_change(
            new,
            move="pliego_correction_publish",
            actor=actor,
            now=now,
            reason=changes,
            data={"significant": significant, "corrects": current.number},
            # Its eForms change notice (publication.eforms), once committed.
            effects=(pliego_corrected_effect(),),
        )
        _supersede_earlier(actor=actor, pliego=new)
        _tell_downloaders(pliego=new)
    return new


def _tell_downloaders(*, pliego: Pliego) -> None:
    supplier_ids = set(
        PliegoDownload.objects.filter(
            pliego__tender_id=pliego.tender_id, pliego__kind=pliego.kind
        ).values_list("supplier_id", flat=True)
    )
    if not supplier_ids:
        return
    ref = contexts.process_ref(pliego.tender_id)
    language = ref.language if ref.language in Language.values else Language.ES
    zone = contexts.city_zone(process_id=pliego.tender_id)
    with translation.override(language):
        kind = KIND_BY_CODE[pliego.kind].name(language)
        subject = _("Correction of the pliegos: %(title)s") % {"title": ref.title}
        body = _(
            "The %(kind)s of “%(title)s” has been corrected (version %(number)d).\n\n"
            "What changed: %(changes)s\n\n"
        ) % {"kind": kind, "title": ref.title, "number": pliego.number, "changes": pliego.changes}
        if pliego.significant and pliego.new_deadline is not None:
            body += _(
                "The change is significant: the bid deadline is extended to %(when)s "
                "(LCSP art. 136.2).\n\n"
            ) % {"when": timezone.localtime(pliego.new_deadline, zone).strftime("%d/%m/%Y %H:%M")}
        body += _("Read the new version at %(url)s\n") % {"url": _portal_url(pliego.tender_id)}
    for supplier_id, addresses in contexts.supplier_addresses_of(supplier_ids=supplier_ids).items():
        key = f"pliego:{pliego.pk}:corrected:{supplier_id}"
        email_queue(key=key, to=addresses, subject=subject, body=body)
        inapp_send(
            key=key,
            users=_representatives(supplier_id),
            subject=subject,
            body=body,
            link=f"/portal/processes/{pliego.tender_id}/",
        )


def pliego_download_record(*, user, pliego: Pliego) -> None:
    """Record that the supplier a logged-in representative speaks for downloaded this version,
    so that it is told of its corrections (LCSP art. 136.2); anyone else downloads unrecorded."""
    if not getattr(user, "is_authenticated", False):
        return
    membership = (
        Membership.objects.filter(user=user, role=Membership.Role.REPRESENTATIVE)
        .exclude(supplier=None)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    PliegoDownload.objects.get_or_create(
        pliego=pliego, supplier_id=membership.supplier_id, defaults={"user": user}
    )


def pliegos_demo_fulfil(
    process,
    *,
    officer: User,
    legal: User,
    kinds: tuple[str, ...],
    now: dt.datetime | None = None,
) -> None:
    """The demo's pliegos: generated from the city's approved template where there is one,
    else from the shipped default text (the demo seeds processes before the library), and
    approved by the legal team, at ``now`` (the demo's step time; default the present)."""
    now = now or timezone.now()
    from documents.default_set import default_template

    ref = contexts.pliego_process_for_user(user=officer, process_id=process.pk)
    for kind in kinds:
        if Pliego.objects.filter(
            tender_id=process.pk,
            kind=kind,
            status__in=(Pliego.Status.APPROVED, Pliego.Status.PUBLISHED),
        ).exists():
            continue
        try:
            pliego = pliego_create(actor=officer, process_id=process.pk, kind=kind, now=now)
        except Conflict:
            language = ref.language if ref.language in Language.values else Language.ES
            default = default_template(kind, language) or default_template(kind, Language.ES)
            data = contexts.process_context(
                process_id=process.pk, kind=kind, language=language, at=now
            )
            body = template_render_text(source=default.source, context=data)
            pdf = render_pdf(
                PdfInput(
                    body=body,
                    title=KIND_BY_CODE[kind].name(language),
                    subject=ref.title,
                    author=data.get("city", {}).get("name", ""),
                    language=language,
                    document_id=f"PLIEGO-{process.pk:06d}-{kind}",
                    verification_code="DEMO-0",
                    created_at=now,
                    header=(
                        data.get("city", {}).get("name", ""),
                        KIND_BY_CODE[kind].legal_basis_in(language),
                    ),
                    labels=FOOTER_LABELS.get(language, FOOTER_LABELS["en"]),
                )
            )
            pliego = pliego_create(
                actor=officer,
                process_id=process.pk,
                kind=kind,
                upload=pdf,
                filename=f"{kind}-firmado.pdf",
                now=now,
            )
        pliego_approve(actor=legal, pliego=pliego, now=now)
