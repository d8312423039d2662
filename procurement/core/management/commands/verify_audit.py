from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from procurement.core.audit import audit_verify
from procurement.core.models import AuditEntry

BATCH = 5000


def _rows() -> Iterator[AuditEntry]:
    """Every entry in id order, read in pages (no server-side cursor left open on failure)."""
    last = 0
    while True:
        page = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not page:
            return
        yield from page
        last = page[-1].pk


class Command(BaseCommand):
    help = "Check the audit log's hash chain and report the first broken link (exit 1)."

    def handle(self, *args, **options):
        for row, why in audit_verify(_rows()):
            raise CommandError(
                f"Audit log broken at entry {row.pk} ({row.at:%Y-%m-%d %H:%M:%S}, {row.name}): {why}."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {AuditEntry.objects.count()} entries chained.")
        )
