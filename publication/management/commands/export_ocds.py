"""``manage.py export_ocds FOLDER``: every published OCDS release and record, as files."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publication.ocds.records import record_build, record_package, release_package
from publication.ocds.schema import SchemaMissing
from publication.ocds.selectors import ocids_public, record_releases, releases_public


class Command(BaseCommand):
    help = (
        "Write the published OCDS data to FOLDER: releases.json (one release package), "
        "records.json (one record package) and records/<ocid>.json (one per process)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--city", default="", help="Only this city (id or short name).")

    def handle(self, *args, folder: Path, city: str, **options) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "records").mkdir(exist_ok=True)
        base = f"{settings.OPENCPI_PUBLIC_URL}/api/v1/ocds"
        releases = [row.data for row in releases_public(city=city).only("data")]
        self._write(
            folder / "releases.json", release_package(releases=releases, uri=f"{base}/releases/")
        )
        try:
            records = []
            for ocid in ocids_public(city=city):
                record = record_build(ocid=ocid, releases=record_releases(ocid=ocid))
                records.append(record)
                uri = f"{base}/records/{ocid}/"
                self._write(
                    folder / "records" / f"{ocid}.json",
                    record_package(records=[record], uri=uri),
                )
        except SchemaMissing as error:
            raise CommandError(str(error)) from error
        self._write(
            folder / "records.json", record_package(records=records, uri=f"{base}/records/")
        )
        self.stdout.write(
            self.style.SUCCESS(f"{len(releases)} releases and {len(records)} records in {folder}.")
        )

    def _write(self, path: Path, package: dict) -> None:
        path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
