"""The default templates as the RECI network's shared library, approved for Logroño and
Terrassa by their legal teams. Running the seed again changes nothing; a default file that
changed since is published as the library's next version."""

from django.db import transaction

from documents.default_set import default_templates
from documents.models import DEFAULT_SET_NOTE, DocumentTemplate
from documents.services import (
    documents_retry_failed,
    network_version_publish,
    template_approve_for_city,
    template_latest_approved,
)
from procurement.accounts.models import City, Network, User
from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry

LIBRARY_NETWORK = "reci"
APPROVERS = [("logrono", "legal.logrono"), ("terrassa", "legal.terrassa")]


@transaction.atomic
def seed(stdout=None) -> None:
    network = Network.objects.get(slug=LIBRARY_NETWORK)
    approvers = [
        (City.objects.get(slug=city), User.objects.get(username=user)) for city, user in APPROVERS
    ]
    published = 0
    for default in default_templates():
        template = DocumentTemplate.objects.filter(
            network=network, kind=default.kind, language=default.language
        ).first()
        if template is None:
            template = DocumentTemplate.objects.create(
                network=network,
                kind=default.kind,
                language=default.language,
                name=default.name,
                description=default.description,
                shared_public=True,
            )
            audit_record(
                actor=None,
                action=AuditEntry.Action.CREATE,
                target=template,
                name="template_create",
                reason="default library",
            )
        version = template_latest_approved(template)
        if version is None or version.source != default.source:
            version = network_version_publish(
                template=template, source=default.source, note=DEFAULT_SET_NOTE
            )
            published += 1
        for city, user in approvers:
            template_approve_for_city(actor=user, version=version, city=city)
    remade = documents_retry_failed(city_ids=[city.pk for city, _user in approvers])
    if stdout:
        stdout.write(
            f"Document templates ready: {len(default_templates())} in the RECI library "
            f"({published} versions published), {len(remade)} documents made."
        )
