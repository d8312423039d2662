"""Writes on legal templates and generated documents (STYLE: one write path per operation).

Templates: ``template_create``, ``template_version_create`` (immutable versions, checked at save
time), ``template_version_submit`` / ``_approve`` / ``_retire``, ``template_approve_for_city``
(a city adopts a network default as is), ``template_share``, ``template_adopt`` and
``template_merge``. Documents: ``document_order`` (on demand), ``documents_for_effect`` (the
engine's effects) and ``document_generate`` (the task's one call).
"""

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents import context as contexts
from documents import signatures
from documents.default_set import default_template
from documents.kinds import KIND_BY_CODE, KINDS_BY_EFFECT, Language
from documents.merge import MergeResult, sections_merge
from documents.models import (
    CityApproval,
    DocumentSignature,
    DocumentTemplate,
    GeneratedDocument,
    TemplateVersion,
)
from documents.renderer import PdfInput, render_pdf
from documents.sandbox import TemplateProblem, template_check, template_render_text
from procurement.accounts.models import City, Membership, Network, User
from procurement.accounts.permissions import grant_to_roles
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from procurement.core.models import AuditEntry
from workflows.status import status_change, status_check

# What each city role holds on the city's own templates (object permissions, never global).
TEMPLATE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Membership.Role.LEGAL: (
        "documents.view_documenttemplate",
        "documents.change_documenttemplate",
        "documents.approve_documenttemplate",
        "documents.share_documenttemplate",
    ),
    Membership.Role.OFFICER: ("documents.view_documenttemplate",),
    Membership.Role.ADMIN: ("documents.view_documenttemplate",),
}

Status = TemplateVersion.Status


# --- helpers --------------------------------------------------------------------------------


def legal_cities(user: User) -> list[City]:
    """The cities whose legal team ``user`` belongs to."""
    if not user.is_authenticated:
        return []
    return list(
        City.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.LEGAL
        ).distinct()
    )


def _legal_city(user: User, city: City | None) -> City:
    cities = legal_cities(user)
    if city is not None:
        if city not in cities:
            raise PermissionDenied(
                _("Only the legal team of %(city)s may do this.") % {"city": city}
            )
        return city
    if not cities:
        raise PermissionDenied(_("Only a city's legal team may do this."))
    return cities[0]


def _require(actor: User, perm: str, template: DocumentTemplate, message: str) -> None:
    """Refuse with 404 whoever may not see the template, with 403 whoever sees but may not act."""
    if actor.has_perm(perm, template):
        return
    from documents.selectors import template_list_for_user

    if not template_list_for_user(user=actor).filter(pk=template.pk).exists():
        raise NotFound(_("Template not found."))
    raise PermissionDenied(message)


def _check(source: str, kind: str) -> str:
    source = (source or "").replace("\r\n", "\n")
    if not source.strip():
        raise ApplicationError(_("The template text is empty."), extra={"field": "source"})
    problems = template_check(source=source, kind=kind)
    if problems:
        first_line, first = problems[0]
        message = (
            _("Line %(line)s: %(message)s") % {"line": first_line, "message": first}
            if first_line
            else first
        )
        raise ApplicationError(
            message,
            extra={
                "field": "source",
                "problems": [{"line": line, "message": text} for line, text in problems],
            },
        )
    return source


def _latest(template: DocumentTemplate) -> TemplateVersion | None:
    return template.versions.order_by("-number").first()


def template_latest_approved(template: DocumentTemplate) -> TemplateVersion | None:
    return template.versions.filter(status=Status.APPROVED).order_by("-number").first()


def _add_version(
    *,
    template: DocumentTemplate,
    source: str,
    actor: User | None,
    note: str = "",
    upstream: TemplateVersion | None = None,
    status: str = Status.DRAFT,
) -> TemplateVersion:
    last = template.versions.aggregate(n=Max("number"))["n"] or 0
    version = TemplateVersion.objects.create(
        template=template,
        number=last + 1,
        source=source,
        note=note[:300],
        upstream=upstream,
        status=status,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=version,
        name="template_version_create",
        to_state=status,
        data={"template": template.pk, "number": version.number},
    )
    return version


# --- templates ------------------------------------------------------------------------------


@transaction.atomic
def template_create(
    *,
    actor: User,
    kind: str,
    language: str,
    name: str = "",
    description: str = "",
    source: str | None = None,
    city: City | None = None,
) -> DocumentTemplate:
    """A city's legal team starts a template; without ``source`` it starts from the default."""
    city = _legal_city(actor, city)
    if kind not in KIND_BY_CODE:
        raise ApplicationError(_("Unknown kind of document."), extra={"field": "kind"})
    if language not in Language.values:
        raise ApplicationError(_("Unknown language."), extra={"field": "language"})
    default = default_template(kind, language)
    if source is None:
        source = default.source if default else ""
    source = _check(source, kind)
    template = DocumentTemplate.objects.create(
        city=city,
        kind=kind,
        language=language,
        name=(name or (default.name if default else KIND_BY_CODE[kind].name(language)))[:200],
        description=description or (default.description if default else ""),
        created_by=actor,
    )
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=template, name="template_create"
    )
    grant_to_roles(
        obj=template,
        organisation=city,
        perms_by_role=TEMPLATE_PERMISSIONS,
        actor=actor,
        reason="template created",
    )
    _add_version(template=template, source=source, actor=actor, note=_("First version"))
    return template


@transaction.atomic
def template_version_create(
    *, actor: User, template: DocumentTemplate, source: str, note: str = ""
) -> TemplateVersion:
    """A new draft version; versions never change, so every edit is one of these."""
    _require(
        actor,
        "documents.change_documenttemplate",
        template,
        _("Only the legal team of the template's city may edit it."),
    )
    source = _check(source, template.kind)
    DocumentTemplate.objects.select_for_update().filter(pk=template.pk).first()
    latest = _latest(template)
    return _add_version(
        template=template,
        source=source,
        actor=actor,
        note=note,
        upstream=latest.upstream if latest else None,
    )


def _locked_version(version: TemplateVersion) -> TemplateVersion:
    return TemplateVersion.objects.select_for_update().select_related("template").get(pk=version.pk)


@transaction.atomic
def template_version_submit(*, actor: User, version: TemplateVersion) -> TemplateVersion:
    """Send a draft to the legal review."""
    version = _locked_version(version)
    _require(
        actor,
        "documents.change_documenttemplate",
        version.template,
        _("Only the legal team of the template's city may submit it."),
    )
    return status_change(
        version, move="template_version_submit", actor=actor, lock=False, update_fields=[]
    )


def _four_eyes(actor: User, version: TemplateVersion) -> None:
    """The text that generates acts is checked by someone other than who wrote or submitted it:
    the automated action's specifications are supervised by a responsible body (L40/2015 art.
    41.2), which one person alone is not."""
    if actor.pk in {version.created_by_id, version.submitted_by_id}:
        raise Conflict(
            _(
                "A version is approved by someone other than who wrote or submitted it: ask "
                "another member of the legal team (L40/2015 art. 41.2)."
            )
        )


@transaction.atomic
def template_version_approve(*, actor: User | None, version: TemplateVersion) -> TemplateVersion:
    """The owner's legal team approves a version under review; the approved one before it
    retires. Cities that adopted the template are told a new version is out."""
    version = _locked_version(version)
    template = version.template
    if actor is not None:
        _require(
            actor,
            "documents.approve_documenttemplate",
            template,
            _("Only the legal team of the template's city may approve it."),
        )
        _four_eyes(actor, version)
    status_check(version, "template_version_approve")
    now = timezone.now()
    for previous in template.versions.select_for_update().filter(status=Status.APPROVED):
        status_change(
            previous,
            move="template_version_retire",
            actor=actor,
            now=now,
            lock=False,
            update_fields=[],
        )
    status_change(
        version,
        move="template_version_approve",
        actor=actor,
        now=now,
        lock=False,
        update_fields=[],
    )
    _tell_adopters(version)
    return version


@transaction.atomic
def template_version_retire(*, actor: User, version: TemplateVersion) -> TemplateVersion:
    version = _locked_version(version)
    _require(
        actor,
        "documents.approve_documenttemplate",
        version.template,
        _("Only the legal team of the template's city may retire it."),
    )
    return status_change(
        version, move="template_version_retire", actor=actor, lock=False, update_fields=[]
    )


def network_version_publish(
    *, template: DocumentTemplate, source: str, note: str = ""
) -> TemplateVersion:
    """A network's library gets a new approved version (the seed and network maintenance;
    cities still approve it for their own use)."""
    if template.network_id is None:
        raise ValueError("only network templates are published this way")
    source = _check(source, template.kind)
    version = _add_version(
        template=template, source=source, actor=None, note=note, status=Status.APPROVED
    )
    version.approved_at = timezone.now()
    version.save(update_fields=["approved_at"])
    _tell_adopters(version)
    return version


@transaction.atomic
def template_approve_for_city(
    *, actor: User, version: TemplateVersion, city: City | None = None
) -> CityApproval:
    """A city's legal team approves a network default version for the city's documents."""
    template = version.template
    if template.network_id is None:
        raise ApplicationError(_("Only network templates are approved this way."))
    city = _legal_city(actor, city)
    if not city.networks.filter(pk=template.network_id).exists():
        raise NotFound(_("Template not found."))
    if version.status != Status.APPROVED:
        raise Conflict(_("Only a version the network published can be approved."))
    approval, created = CityApproval.objects.get_or_create(
        version=version, city=city, defaults={"approved_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.TRANSITION,
            target=version,
            name="template_approve_for_city",
            to_state="approved",
            data={"city": city.pk},
        )
    return approval


def _tell_adopters(version: TemplateVersion) -> None:
    template = version.template
    for copy in template.adoptions.select_related("city"):
        if copy.city is None:
            continue
        legal = Membership.objects.filter(city=copy.city, role=Membership.Role.LEGAL)
        with translation.override(copy.city.language):
            subject = _("New version of “%(name)s” to review") % {"name": template.name}
            body = _(
                "%(owner)s published version %(number)s of “%(name)s”, which %(city)s adopted. "
                "Open your copy to see what changed in each section and merge it.\n"
            ) % {
                "owner": template.owner,
                "number": version.number,
                "name": template.name,
                "city": copy.city,
            }
        key = f"template-update:{version.pk}:{copy.pk}"
        email_queue(
            key=key,
            to=list(legal.values_list("user__email", flat=True)),
            subject=subject,
            body=body,
        )
        inapp_send(
            key=key,
            users=legal.values_list("user_id", flat=True),
            subject=subject,
            body=body,
            link=reverse("document-template-detail", args=[copy.pk]),
        )


@transaction.atomic
def template_share(
    *,
    actor: User,
    template: DocumentTemplate,
    public: bool | None = None,
    networks: Iterable[int] | None = None,
    cities: Iterable[int] | None = None,
) -> DocumentTemplate:
    """Share with the city's networks, with chosen cities, or publicly (what is given replaces
    what was shared before)."""
    _require(
        actor,
        "documents.share_documenttemplate",
        template,
        _("Only the legal team of the template's city may share it."),
    )
    owner_networks = (
        set(template.city.networks.values_list("pk", flat=True)) if template.city else set()
    )
    changes: dict[str, Any] = {}
    if networks is not None:
        wanted = {int(n) for n in networks}
        if wanted - owner_networks:
            raise ApplicationError(
                _("A template can be shared only with its city's own networks."),
                extra={"field": "networks"},
            )
        template.shared_networks.set(Network.objects.filter(pk__in=wanted))
        changes["networks"] = sorted(wanted)
    if cities is not None:
        wanted = {int(c) for c in cities}
        found = set(City.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - found:
            raise ApplicationError(_("Unknown city."), extra={"field": "cities"})
        template.shared_cities.set(
            City.objects.filter(pk__in=wanted).exclude(pk=template.city_id or 0)
        )
        changes["cities"] = sorted(wanted)
    if public is not None:
        template.shared_public = bool(public)
        template.save(update_fields=["shared_public", "updated_at"])
        changes["public"] = template.shared_public
    audit_record(
        actor=actor,
        action=AuditEntry.Action.GRANT,
        target=template,
        name="template_share",
        data=changes,
    )
    return template


@transaction.atomic
def template_adopt(
    *, actor: User, template: DocumentTemplate, city: City | None = None
) -> DocumentTemplate:
    """Copy a template shared with the actor's city into that city, as a draft its own legal
    team must approve. The copy remembers the version it came from."""
    from documents.selectors import template_visible_to_city

    city = _legal_city(actor, city)
    if not template_visible_to_city(template=template, city=city):
        raise NotFound(_("Template not found."))
    if template.city_id == city.pk:
        raise Conflict(_("The template is already your city's."))
    source_version = template_latest_approved(template)
    if source_version is None:
        raise Conflict(_("The template has no approved version to adopt yet."))
    if DocumentTemplate.objects.filter(city=city, adopted_from=template).exists():
        raise Conflict(_("%(city)s already adopted this template.") % {"city": city})
    copy = DocumentTemplate.objects.create(
        city=city,
        kind=template.kind,
        language=template.language,
        name=template.name,
        description=template.description,
        adopted_from=template,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=copy,
        name="template_adopt",
        data={"from_template": template.pk, "from_version": source_version.pk},
    )
    grant_to_roles(
        obj=copy,
        organisation=city,
        perms_by_role=TEMPLATE_PERMISSIONS,
        actor=actor,
        reason="template adopted",
    )
    _add_version(
        template=copy,
        source=source_version.source,
        actor=actor,
        note=_("Adopted from %(owner)s, version %(number)s")
        % {"owner": template.owner, "number": source_version.number},
        upstream=source_version,
    )
    return copy


def template_update_available(template: DocumentTemplate) -> TemplateVersion | None:
    """The source's newer approved version an adopted copy has not merged yet."""
    if template.adopted_from is None:
        return None
    latest = _latest(template)
    newest = template_latest_approved(template.adopted_from)
    if newest is None or latest is None:
        return None
    if latest.upstream_id is not None and newest.number <= latest.upstream.number:  # type: ignore[union-attr]
        return None
    return newest


def template_merge_preview(template: DocumentTemplate) -> tuple[MergeResult, TemplateVersion]:
    """The per-section three-way merge of the copy's latest text with the source's new version.

    Raises ``Conflict`` when there is nothing to merge."""
    newest = template_update_available(template)
    latest = _latest(template)
    if newest is None or latest is None:
        raise Conflict(_("Your copy is up to date with its source."))
    base = latest.upstream.source if latest.upstream else ""
    return sections_merge(base=base, ours=latest.source, theirs=newest.source), newest


@transaction.atomic
def template_merge(
    *, actor: User, template: DocumentTemplate, resolutions: dict[str, str] | None = None
) -> TemplateVersion:
    """Pull the source's new version into a new draft of the copy. Sections that clash need a
    resolution (section key → text); without one the merge is refused with the conflicts."""
    _require(
        actor,
        "documents.change_documenttemplate",
        template,
        _("Only the legal team of the template's city may merge it."),
    )
    DocumentTemplate.objects.select_for_update().filter(pk=template.pk).first()
    result, newest = template_merge_preview(template)
    resolutions = resolutions or {}
    missing = [s.key for s in result.conflicts if s.key not in resolutions]
    if missing:
        raise Conflict(
            _("Resolve the conflicting sections first: %(keys)s")
            % {"keys": ", ".join(k or _("(preamble)") for k in missing)},
            extra={
                "conflicts": [
                    {"section": s.key, "base": s.base, "ours": s.ours, "theirs": s.theirs}
                    for s in result.conflicts
                ]
            },
        )
    source = _check(result.source(resolutions), template.kind)
    return _add_version(
        template=template,
        source=source,
        actor=actor,
        note=_("Merged version %(number)s of the source") % {"number": newest.number},
        upstream=newest,
    )


# --- generated documents --------------------------------------------------------------------


def template_version_pick(
    *, city_id: int, kind: str, language: str, template: DocumentTemplate | None = None
) -> TemplateVersion | None:
    """The version a city's document of ``kind`` is made from: the given template's latest
    approved version; else the city's own (or adopted) template's; else the latest network
    default version the city approved."""
    if template is not None:
        if template.network_id is not None:
            return (
                template.versions.filter(status=Status.APPROVED, city_approvals__city_id=city_id)
                .order_by("-number")
                .first()
            )
        return template_latest_approved(template)
    own = (
        TemplateVersion.objects.filter(
            template__city_id=city_id,
            template__kind=kind,
            template__language=language,
            status=Status.APPROVED,
        )
        .order_by("-approved_at", "-pk")
        .first()
    )
    if own is not None:
        return own
    return (
        TemplateVersion.objects.filter(
            template__network__cities__pk=city_id,
            template__kind=kind,
            template__language=language,
            status=Status.APPROVED,
            city_approvals__city_id=city_id,
        )
        .order_by("-number", "-pk")
        .first()
    )


def _next_number(process_id: int, kind: str, language: str) -> int:
    last = GeneratedDocument.objects.filter(
        tender_id=process_id, kind=kind, language=language
    ).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def _document_request(
    *,
    key: str,
    process_id: int,
    kind: str,
    language: str,
    trigger: str,
    public: bool,
    requested_by: User | None = None,
    template: DocumentTemplate | None = None,
    audit_entry_id: int | None = None,
) -> tuple[GeneratedDocument, bool]:
    """The pending document under ``key``; asking again with the same key returns it."""
    existing = GeneratedDocument.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        contexts.process_lock(process_id)
        existing = GeneratedDocument.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        # A step's document is dated at its step, however late it is made: a seed that moves a
        # process through past steps, or a worker that catches up, dates it when it was due.
        step_at = (
            AuditEntry.objects.filter(pk=audit_entry_id).values_list("at", flat=True).first()
            if audit_entry_id is not None
            else None
        )
        document = GeneratedDocument.objects.create(
            created_at=step_at or timezone.now(),
            key=key,
            tender_id=process_id,
            kind=kind,
            language=language,
            number=_next_number(process_id, kind, language),
            requested_template=template,
            trigger=trigger,
            public=public,
            requested_by=requested_by if requested_by and requested_by.is_authenticated else None,
            verification_code=_verification_code(),
            audit_entry_id=audit_entry_id,
        )
    return document, True


def _verification_code() -> str:
    raw = secrets.token_hex(5).upper()
    return f"{raw[:5]}-{raw[5:]}"


def document_order(
    *,
    actor: User,
    process_id: int,
    kind: str,
    language: str = "",
    template: DocumentTemplate | None = None,
) -> GeneratedDocument:
    """Make a document on demand (a new version each time); the PDF is made by a task that
    starts after commit."""
    from documents.tasks import document_generate_task

    if kind not in KIND_BY_CODE:
        raise ApplicationError(_("Unknown kind of document."), extra={"field": "kind"})
    ref = contexts.process_ref(process_id)
    if not contexts.process_user_may_request(user=actor, process_id=process_id):
        raise PermissionDenied(
            _("Only procurement officers and the legal team of the process's city may do this.")
        )
    if template is not None:
        if template.kind != kind:
            raise ApplicationError(
                _("The template is for another kind of document."), extra={"field": "template"}
            )
        language = template.language
    language = language or ref.language
    if language not in Language.values:
        raise ApplicationError(_("Unknown language."), extra={"field": "language"})
    with transaction.atomic():
        document, _created = _document_request(
            key=f"order:{uuid.uuid4()}",
            process_id=process_id,
            kind=kind,
            language=language,
            trigger="on demand",
            public=False,
            requested_by=actor,
            template=template,
        )
        transaction.on_commit(lambda: document_generate_task.delay(document.pk))
    return document


def effect_document_key(*, audit_entry_id: int, kind: str) -> str:
    """The key of the document of ``kind`` that a step's effect makes (``audit_entry_id`` is the
    step's audit row): asking again for the same step finds the same document."""
    return f"effect:{audit_entry_id}:{kind}"


def documents_for_effect(
    *, effect: str, process_id: int, audit_entry_id: int
) -> list[GeneratedDocument]:
    """The documents a transition's effect requires, one per kind, in the city's language.
    Each is tied to the transition's audit row (its key and ``audit_entry``), so a repeated
    effect makes nothing new."""
    ref = contexts.process_ref(process_id)
    made = []
    for kind in KINDS_BY_EFFECT.get(effect, []):
        document, _created = _document_request(
            key=effect_document_key(audit_entry_id=audit_entry_id, kind=kind.code),
            process_id=process_id,
            kind=kind.code,
            language=ref.language if ref.language in Language.values else Language.ES,
            trigger=f"effect:{effect}",
            public=kind.public and ref.is_public,
            audit_entry_id=audit_entry_id,
        )
        made.append(document)
    return made


def step_documents_pending(*, audit_entry_id: int) -> bool:
    """Whether a document that step ``audit_entry_id`` requires is not stored yet: not asked for
    yet, or still being made. A document that failed (no approved template) is stored with its
    reason and holds nothing back; generating it again later makes a new one."""
    from procurement.core.models import AuditEntry
    from workflows.effects import effects_of_step

    entry = AuditEntry.objects.filter(pk=audit_entry_id).first()
    kinds = {
        kind.code for effect in effects_of_step(entry) for kind in KINDS_BY_EFFECT.get(effect, [])
    }
    if not kinds:
        return False
    stored = set(
        GeneratedDocument.objects.filter(audit_entry_id=audit_entry_id)
        .exclude(status=GeneratedDocument.Status.PENDING)
        .values_list("kind", flat=True)
    )
    return not kinds <= stored


def _step_lock(document: GeneratedDocument) -> None:
    """Lock the process of a step's document before the document's status changes: the status
    change appends to the audit chain, whose lock every transition takes after the process's
    row, so taking them in the other order could deadlock with a transition."""
    if document.audit_entry_id is not None:
        contexts.process_lock(document.tender_id)


def _step_documents_stored(document: GeneratedDocument) -> None:
    """Once every document its step requires is stored (made or failed), raise
    ``document_ready`` for the step, in the transaction that stored the last one: the step's
    OCDS release, which lists its public documents, waits for it.

    The process row is locked first, so of two documents of one step stored at once by two
    workers, the second to commit sees the first stored and raises the effect."""
    from documents.effects import DOCUMENT_READY
    from workflows.effects import effect_raise

    if document.audit_entry_id is None:
        return
    contexts.process_lock(document.tender_id)
    if step_documents_pending(audit_entry_id=document.audit_entry_id):
        return
    effect_raise(
        effect=DOCUMENT_READY,
        model=contexts.process_model_label(),
        pk=document.tender_id,
        audit_entry_id=document.audit_entry_id,
    )


FOOTER_LABELS = {
    "es": {
        "page": "Página {page} de {pages}",
        "document": "Documento",
        "verification": "Código de verificación",
    },
    "en": {
        "page": "Page {page} of {pages}",
        "document": "Document",
        "verification": "Verification code",
    },
}


def document_pdf_input(
    document: GeneratedDocument, body: str, *, stamp_room: bool = False
) -> PdfInput:
    """What the renderer needs, taken only from the document's own snapshot (and whether to
    leave room for the seal's stamp)."""
    data = document.data
    city = data.get("city", {}).get("name", "")
    title = KIND_BY_CODE[document.kind].name(document.language)
    process_title = data.get("process", {}).get("title", "")
    return PdfInput(
        body=body,
        title=title,
        subject=process_title,
        author=city,
        language=document.language,
        document_id=document.reference,
        verification_code=document.verification_code,
        created_at=document.created_at,
        header=(city, KIND_BY_CODE[document.kind].legal_basis_in(document.language)),
        labels=FOOTER_LABELS.get(document.language, FOOTER_LABELS["en"]),
        stamp_room=stamp_room,
    )


def _fail(document: GeneratedDocument, reason: str) -> GeneratedDocument:
    document.failure_reason = reason
    _step_lock(document)
    document = status_change(
        document,
        move="document_fail",
        lock=False,
        update_fields=["failure_reason", "template_version", "data"],
    )
    _step_documents_stored(document)
    return document


def document_generate(*, document_id: int) -> GeneratedDocument | None:
    """Make the PDF of a pending document, once: a retried task finds it done and returns it.

    Without an approved template the document is recorded as failed with the reason."""
    with transaction.atomic():
        document = (
            GeneratedDocument.objects.select_for_update(of=("self",))
            .select_related("requested_template")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status != GeneratedDocument.Status.PENDING:
            return document
        ref = contexts.process_ref(document.tender_id)
        version = template_version_pick(
            city_id=ref.city_id,
            kind=document.kind,
            language=document.language,
            template=document.requested_template,
        )
        if version is None:
            with translation.override(document.language):
                kind_name = KIND_BY_CODE[document.kind].name(document.language)
                return _fail(
                    document,
                    _(
                        "No approved template for “%(kind)s” in this language: the city's legal "
                        "team must approve one (its own, an adopted copy or the network's)."
                    )
                    % {"kind": kind_name},
                )
        document.template_version = version
        document.data = contexts.process_context(
            process_id=document.tender_id,
            kind=document.kind,
            language=document.language,
            at=document.created_at,
        )
        try:
            body = template_render_text(source=version.source, context=document.data)
        except TemplateProblem as problem:
            return _fail(document, problem.message)
        # Sealed when the city has a seal (L40/2015 art. 42): the hash covers the sealed bytes.
        seal = None
        if signatures.seal_configured_for(city_id=ref.city_id):
            pdf = render_pdf(document_pdf_input(document, body, stamp_room=True))
            pdf, seal = signatures.document_seal(document=document, city_id=ref.city_id, pdf=pdf)
        if seal is None:
            pdf = render_pdf(document_pdf_input(document, body))
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        name = f"documents/{document.tender_id}/{document.reference}-{document.sha256[:12]}.pdf"
        if document.pdf.storage.exists(name):
            document.pdf.storage.delete(name)
        document.pdf.save(name, ContentFile(pdf), save=False)
        _step_lock(document)
        document = status_change(
            document,
            move="document_generate",
            lock=False,
            data={
                "sha256": document.sha256,
                "template_version": version.pk,
                **({"sealed": True} if seal is not None else {}),
            },
        )
        if seal is not None:
            signatures.seal_record(document=document, check=seal)
        _step_documents_stored(document)
    return document


def document_pdf_rebuild(document: GeneratedDocument) -> bytes:
    """The PDF made again from the document's snapshot (to verify it byte for byte; a sealed
    document's file starts with these bytes)."""
    if document.template_version is None:
        raise Conflict(_("The document has no PDF."))
    body = template_render_text(source=document.template_version.source, context=document.data)
    # A sealed document was rendered with room for the stamp; the seal is a later revision.
    sealed = document.signatures.filter(kind=DocumentSignature.Kind.SEAL).exists()
    return render_pdf(document_pdf_input(document, body, stamp_room=sealed))


def documents_retry_failed(*, city_ids: Iterable[int] | None = None) -> list[GeneratedDocument]:
    """Make a new version of each effect document that failed (e.g. before any template was
    approved), unless a later version of it already exists."""
    failed = GeneratedDocument.objects.filter(status=GeneratedDocument.Status.FAILED)
    if city_ids is not None:
        failed = failed.filter(tender__city_id__in=list(city_ids))
    made = []
    for document in failed.order_by("pk"):
        newer = GeneratedDocument.objects.filter(
            Q(tender_id=document.tender_id, kind=document.kind, language=document.language),
            number__gt=document.number,
        ).exists()
        if newer:
            continue
        retry, created = _document_request(
            key=f"retry:{document.key}",
            process_id=document.tender_id,
            kind=document.kind,
            language=document.language,
            trigger=document.trigger,
            public=document.public,
            audit_entry_id=document.audit_entry_id,
        )
        if created:
            made.append(document_generate(document_id=retry.pk) or retry)
    return made


def documents_relay(*, older_than_seconds: int = 120) -> int:
    """Queue again the documents still pending a while after they were asked for: a worker that
    died mid-way, or a broker outage, lost their task. Making a document is idempotent."""
    from datetime import timedelta

    from documents.tasks import document_generate_task

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        GeneratedDocument.objects.filter(
            status=GeneratedDocument.Status.PENDING, created_at__lte=cutoff
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        document_generate_task.delay(pk)
    return len(ids)
