"""Reads on templates and generated documents for a given user.

Missing and not-yours raise the same ``NotFound`` (STYLE rule 4). A template is visible to a
user when one of their cities holds ``view_documenttemplate`` on it (its own templates), or it
is shared with one of their cities, one of those cities' networks, or publicly, or it is the
default library of one of those networks.
"""

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from documents import context as contexts
from documents.kinds import KIND_BY_CODE
from documents.models import (
    CityApproval,
    DocumentTemplate,
    FileDocument,
    GeneratedDocument,
    TemplateVersion,
)
from documents.renderer import markup_blocks
from documents.sandbox import TemplateProblem, template_check, template_render_text
from procurement.accounts.models import City, Membership, Network
from procurement.core.exceptions import NotFound
from procurement.core.permissions import grants_q, objects_for_user

SCOPES = ("mine", "network", "public")


def _user_cities(user) -> QuerySet[City]:
    return City.objects.filter(
        pk__in=Membership.objects.filter(user=user, city__isnull=False).values("city_id")
    )


def _shared_with_cities(cities: QuerySet[City]) -> Q:
    networks = cities.values("networks")
    return (
        Q(network__in=networks)
        | Q(shared_networks__in=networks)
        | Q(shared_cities__in=cities.values("pk"))
    )


def _granted(user, codename: str) -> Q:
    """The templates on which ``user`` holds ``documents.<codename>`` through a user or group
    grant (``procurement.core.permissions.grants_q``). Global permissions count for nothing; a
    superuser holds everything."""
    if user.is_superuser:
        return Q(pk__isnull=False)
    grants = grants_q(user, f"documents.{codename}", DocumentTemplate)
    assert grants is not None  # DocumentTemplate has direct-FK permission tables
    return grants


def _shared_with_user(user) -> Q:
    """The templates shared with ``user``'s cities or their networks, or defaults of those
    networks. The cities and networks are read first (one small query) so the list's own
    query stays short to plan; each condition is an uncorrelated subquery, so no row repeats."""
    city_ids: set[int] = set()
    network_ids: set[int] = set()
    memberships = Membership.objects.filter(user=user, city__isnull=False)
    for city_id, network_id in memberships.values_list("city_id", "city__networks"):
        city_ids.add(city_id)
        if network_id is not None:
            network_ids.add(network_id)
    by_network = DocumentTemplate.shared_networks.through.objects.filter(network_id__in=network_ids)
    by_city = DocumentTemplate.shared_cities.through.objects.filter(city_id__in=city_ids)
    return (
        Q(network_id__in=network_ids)
        | Q(pk__in=by_network.values("documenttemplate_id"))
        | Q(pk__in=by_city.values("documenttemplate_id"))
    )


def _with_counts(queryset: QuerySet[DocumentTemplate]) -> QuerySet[DocumentTemplate]:
    """Each template with how many cities use it and how many documents it made."""
    adopters = (
        DocumentTemplate.objects.filter(adopted_from=OuterRef("pk"))
        .values("adopted_from")
        .annotate(n=Count("city", distinct=True))
        .values("n")
    )
    approvers = (
        CityApproval.objects.filter(version__template=OuterRef("pk"))
        .values("version__template")
        .annotate(n=Count("city", distinct=True))
        .values("n")
    )
    made = (
        GeneratedDocument.objects.filter(
            template_version__template=OuterRef("pk"), status=GeneratedDocument.Status.READY
        )
        .values("template_version__template")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        adopters_count=Coalesce(Subquery(adopters, output_field=IntegerField()), Value(0)),
        approvers_count=Coalesce(Subquery(approvers, output_field=IntegerField()), Value(0)),
        documents_count=Coalesce(Subquery(made, output_field=IntegerField()), Value(0)),
    )


def template_list_for_user(
    *,
    user,
    scope: str = "",
    kind: str = "",
    language: str = "",
    city: str = "",
    network: str = "",
    q: str = "",
) -> QuerySet[DocumentTemplate]:
    """The library as ``user`` sees it: ``mine`` (their cities' own), ``network`` (shared with
    their cities or networks, and the networks' defaults), ``public``; all three without scope."""
    queryset = _visible(
        user=user, scope=scope, kind=kind, language=language, city=city, network=network, q=q
    )
    return _with_counts(queryset.select_related("city", "network")).order_by(*LIBRARY_ORDER)


LIBRARY_ORDER = ("kind", "language", "name", "pk")


def _visible(
    *, user, scope: str, kind: str, language: str, city: str, network: str, q: str
) -> QuerySet[DocumentTemplate]:
    base = DocumentTemplate.objects.all()
    if not user.is_authenticated:
        queryset = base.filter(shared_public=True)
    else:
        mine = _granted(user, "view_documenttemplate")
        shared = _shared_with_user(user)
        public = Q(shared_public=True)
        # Without a scope, ``shared`` need not exclude ``mine``: the union is the same rows, and
        # the database reads the user's grants once instead of twice.
        condition = {"mine": mine, "network": shared & ~mine, "public": public}.get(
            scope, mine | shared | public
        )
        queryset = base.filter(condition)
    if kind:
        queryset = queryset.filter(kind=kind)
    if language:
        queryset = queryset.filter(language=language)
    if city:
        queryset = queryset.filter(Q(city__pk=city) if city.isdigit() else Q(city__slug=city))
    if network:
        # A subquery rather than a join through the cities' networks: no row repeats, so the
        # list needs no DISTINCT (which sorted every visible template on each page).
        networks = Q(pk=network) if network.isdigit() else Q(slug=network)
        network_ids = Network.objects.filter(networks).values("pk")
        queryset = queryset.filter(
            Q(network__in=network_ids)
            | Q(city__in=City.objects.filter(networks__in=network_ids).values("pk"))
        )
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(pk__in=TemplateVersion.objects.filter(source__icontains=q).values("template_id"))
        )
    return queryset


def template_library_for_user(
    *,
    user,
    scope: str = "",
    kind: str = "",
    language: str = "",
    city: str = "",
    network: str = "",
    q: str = "",
) -> QuerySet[DocumentTemplate]:
    """The rows of ``template_list_for_user``, in its order, as dicts of ``id``, ``name``,
    ``description``, ``kind``, ``language``, ``city_id``, ``network_id``, ``adopted_from_id``,
    ``shared_public``, ``created_at`` and ``owner_name`` (the owning city's or network's); a
    page of them gets the rest from ``template_library_details``. The library reads them by
    the page: model instances, their city and network, and usage counts compiled into the list's
    query cost more than the query itself."""
    queryset = _visible(
        user=user, scope=scope, kind=kind, language=language, city=city, network=network, q=q
    )
    return queryset.order_by(*LIBRARY_ORDER).values(
        "id",
        "name",
        "description",
        "kind",
        "language",
        "city_id",
        "network_id",
        "adopted_from_id",
        "shared_public",
        "created_at",
        owner_name=Coalesce("city__name", "network__name"),
    )


# The counts are those of ``_with_counts``. A fixed text, so the connection prepares it once.
_LIBRARY_DETAILS_SQL = """
SELECT t.id,
  (SELECT COUNT(DISTINCT a.city_id) FROM documents_documenttemplate a
    WHERE a.adopted_from_id = t.id),
  (SELECT COUNT(DISTINCT c.city_id) FROM documents_cityapproval c
    JOIN documents_templateversion v ON v.id = c.version_id WHERE v.template_id = t.id),
  (SELECT COUNT(*) FROM documents_generateddocument g
    JOIN documents_templateversion v ON v.id = g.template_version_id
    WHERE v.template_id = t.id AND g.status = %s),
  ARRAY(SELECT s.network_id FROM documents_documenttemplate_shared_networks s
    WHERE s.documenttemplate_id = t.id ORDER BY s.network_id),
  ARRAY(SELECT s.city_id FROM documents_documenttemplate_shared_cities s
    WHERE s.documenttemplate_id = t.id ORDER BY s.city_id),
  v.numbers, v.statuses, v.approved
FROM unnest(%s::bigint[]) AS t(id)
LEFT JOIN LATERAL (
  SELECT array_agg(v.number ORDER BY v.number DESC) AS numbers,
    array_agg(v.status ORDER BY v.number DESC) AS statuses,
    array_agg(v.approved_at ORDER BY v.number DESC) AS approved
  FROM documents_templateversion v WHERE v.template_id = t.id
) v ON true
"""


def template_library_details(ids: list[int]) -> dict[int, dict]:
    """For each template of ``ids``, in one query: ``adopters_count``, ``approvers_count`` and
    ``documents_count`` (as ``template_list_for_user``), the ids it is shared with
    (``shared_network_ids``, ``shared_city_ids``, ascending) and its ``versions`` (newest first,
    each a dict of ``number``, ``status`` and ``approved_at``)."""
    if not ids:
        return {}
    if connection.vendor != "postgresql":
        return _library_details_portable(ids)
    with connection.cursor() as cursor:
        cursor.execute(_LIBRARY_DETAILS_SQL, [GeneratedDocument.Status.READY.value, list(ids)])
        rows = cursor.fetchall()
    details = {}
    for pk, adopters, approvers, made, networks, cities, numbers, statuses, approved in rows:
        details[pk] = {
            "adopters_count": adopters,
            "approvers_count": approvers,
            "documents_count": made,
            "shared_network_ids": networks,
            "shared_city_ids": cities,
            "versions": [
                {"number": number, "status": status, "approved_at": approved_at}
                for number, status, approved_at in zip(
                    numbers or (), statuses or (), approved or (), strict=True
                )
            ],
        }
    return details


def _library_details_portable(ids: list[int]) -> dict[int, dict]:
    """``template_library_details`` on a database without arrays (SQLite, the embedded
    default): the same figures in six queries, none per template."""
    details: dict[int, dict] = {
        pk: {
            "adopters_count": 0,
            "approvers_count": 0,
            "documents_count": 0,
            "shared_network_ids": [],
            "shared_city_ids": [],
            "versions": [],
        }
        for pk in ids
    }
    counts = (
        (
            "adopters_count",
            DocumentTemplate.objects,
            "adopted_from_id",
            Count("city_id", distinct=True),
        ),
        (
            "approvers_count",
            CityApproval.objects,
            "version__template_id",
            Count("city_id", distinct=True),
        ),
        (
            "documents_count",
            GeneratedDocument.objects.filter(status=GeneratedDocument.Status.READY),
            "template_version__template_id",
            Count("pk"),
        ),
    )
    for name, rows, template, count in counts:
        for row in rows.filter(**{f"{template}__in": ids}).values(template).annotate(n=count):
            details[row[template]][name] = row["n"]
    shared = (
        ("shared_network_ids", DocumentTemplate.shared_networks.through, "network_id"),
        ("shared_city_ids", DocumentTemplate.shared_cities.through, "city_id"),
    )
    for name, through, column in shared:
        pairs = through.objects.filter(documenttemplate_id__in=ids).order_by(column)
        for template_id, other in pairs.values_list("documenttemplate_id", column):
            details[template_id][name].append(other)
    versions = TemplateVersion.objects.filter(template_id__in=ids).order_by("-number")
    for version in versions.values("template_id", "number", "status", "approved_at"):
        details[version.pop("template_id")]["versions"].append(version)
    return details


def template_visible_to_city(*, template: DocumentTemplate, city: City) -> bool:
    cities = City.objects.filter(pk=city.pk)
    return (
        template.city_id == city.pk
        or template.shared_public
        or DocumentTemplate.objects.filter(pk=template.pk)
        .filter(_shared_with_cities(cities))
        .exists()
    )


def template_get_for_user(*, user, pk) -> DocumentTemplate:
    try:
        return template_list_for_user(user=user).select_related("adopted_from").get(pk=pk)
    except (DocumentTemplate.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Template not found.")) from error


def template_versions(*, template: DocumentTemplate) -> QuerySet[TemplateVersion]:
    return template.versions.select_related("created_by", "approved_by", "upstream").order_by(
        "-number"
    )


def template_version_get(*, template: DocumentTemplate, number) -> TemplateVersion:
    try:
        return template.versions.select_related("template").get(number=number)
    except (TemplateVersion.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Version not found.")) from error


def review_queue_for_user(*, user) -> dict[str, list]:
    """What waits on a legal team: their templates' versions in review, and network defaults
    their city has not approved yet."""
    if not user.is_authenticated:
        return {"in_review": [], "network": []}
    own = objects_for_user(
        user, "documents.approve_documenttemplate", DocumentTemplate.objects.all()
    )
    in_review = list(
        TemplateVersion.objects.filter(
            template__in=own, status=TemplateVersion.Status.IN_REVIEW
        ).select_related("template", "template__city", "created_by")
    )
    cities = City.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.LEGAL
    ).distinct()
    network_items: list[tuple[City, TemplateVersion]] = []
    for city in cities:
        approved_here = CityApproval.objects.filter(version=OuterRef("pk"), city=city)
        pending = (
            TemplateVersion.objects.filter(
                template__network__in=city.networks.all(),
                status=TemplateVersion.Status.APPROVED,
            )
            .annotate(done=Exists(approved_here))
            .filter(done=False)
            .select_related("template", "template__network")
            .order_by("template__kind", "template__language", "-number")
        )
        network_items.extend((city, version) for version in pending)
    return {"in_review": in_review, "network": network_items}


def review_work(*, user) -> list:
    """The legal team's home-page section: the template versions waiting for its review
    (``review_queue_for_user``), each linking to its template."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from procurement.core.work import WORK_ITEMS, WorkItem, WorkSection

    if not any(m.city_id and m.role == Membership.Role.LEGAL for m in user.memberships_seen):
        return []
    queue = review_queue_for_user(user=user)
    items = [
        WorkItem(
            subject=f"{version.template.name} v{version.number}",
            url=reverse("document-template-detail", args=[version.template_id]),
            action=_("Review and approve"),
        )
        for version in queue["in_review"]
    ] + [
        WorkItem(
            subject=f"{version.template.name} v{version.number}",
            url=reverse("document-template-detail", args=[version.template_id]),
            action=_("Approve the network's default for %(city)s") % {"city": city},
        )
        for city, version in queue["network"]
    ]
    return [
        WorkSection(
            key="templates",
            heading=gettext_lazy("Templates to review"),
            items=items[:WORK_ITEMS],
            count=len(items),
            more_url=reverse("document-review-queue"),
        )
    ]


def documents_for_process(
    *, user, process_id
) -> tuple[contexts.ProcessRef, bool, QuerySet[GeneratedDocument]]:
    """A process's documents: all of them for its city's people, the public ones for others."""
    ref, private = contexts.process_for_user(user=user, process_id=process_id)
    documents = GeneratedDocument.objects.filter(tender_id=ref.id).select_related(
        "template_version", "template_version__template"
    )
    if not private:
        documents = documents.filter(public=True, status=GeneratedDocument.Status.READY)
    return ref, private, documents.order_by("kind", "language", "-number")


def document_get_for_user(*, user, pk) -> GeneratedDocument:
    """A document its process's city may read; a public one anybody may."""
    try:
        document = GeneratedDocument.objects.select_related(
            "tender", "template_version", "template_version__template"
        ).get(pk=pk)
    except (GeneratedDocument.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Document not found.")) from error
    if document.public and document.status == GeneratedDocument.Status.READY:
        return document
    if user.is_authenticated and user.has_perm("tenders.view_tender", document.tender):
        return document
    raise NotFound(_("Document not found."))


def document_get_public_by_hash(*, sha256: str) -> GeneratedDocument:
    document = (
        GeneratedDocument.objects.filter(
            sha256=sha256.strip().lower(), public=True, status=GeneratedDocument.Status.READY
        )
        .select_related("tender", "template_version__template")
        .first()
    )
    if document is None:
        raise NotFound(_("Document not found."))
    return document


def template_preview(*, source: str, kind: str, language: str) -> dict:
    """A draft text of a template of ``kind`` rendered with the kind's sample data, as the
    editor shows it: ``title`` and ``blocks`` (the markup's numbered sections, paragraphs,
    lists and tables), or ``errors`` (``line``, ``message``) when the text does not check or
    render. Reads nothing and saves nothing."""
    problems = template_check(source=source, kind=kind)
    if problems:
        return {"errors": [{"line": line, "message": message} for line, message in problems]}
    try:
        body = template_render_text(
            source=source, context=contexts.sample_context(kind=kind, language=language)
        )
    except TemplateProblem as problem:
        return {"errors": [{"line": line, "message": message} for line, message in problem.errors]}
    return {"blocks": markup_blocks(body), "title": KIND_BY_CODE[kind].name(language), "errors": []}


def file_documents_for_user(*, user, process_id: int) -> QuerySet[FileDocument]:
    """The signed documents of a process's file, newest first, for its city's people (the same
    ``NotFound`` for everybody else: the file is internal until published)."""
    process = contexts.process_private_for_user(user=user, process_id=process_id)
    return (
        FileDocument.objects.filter(tender_id=process.pk)
        .select_related("uploaded_by")
        .order_by("kind", "-created_at", "-pk")
    )
