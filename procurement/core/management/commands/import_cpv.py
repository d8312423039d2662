import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from procurement.core.models import CpvCode


class Command(BaseCommand):
    help = "Import the CPV 2008 vocabulary (code,en,es CSV) from shared/cpv. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None)
        parser.add_argument(
            "--if-present",
            action="store_true",
            help="warn instead of failing when the file is missing",
        )

    def handle(self, *args, path=None, if_present=False, **options):
        source = Path(path or settings.CPV_CSV)
        if not source.exists():
            message = f"CPV file not found at {source} (set CPV_CSV)."
            if if_present:
                self.stderr.write(
                    self.style.WARNING(message + " CPV codes get a format check only.")
                )
                return
            raise CommandError(message)
        with source.open(encoding="utf-8", newline="") as handle:
            rows = [
                CpvCode(code=row["code"], label_en=row["en"], label_es=row["es"])
                for row in csv.DictReader(handle)
            ]
        with transaction.atomic():
            CpvCode.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["label_en", "label_es"],
            )
        self.stdout.write(f"{len(rows)} CPV codes imported from {source}.")
