"""``manage.py export_eforms FOLDER``: every valid eForms notice of the public processes, as
files, and what failed in the others."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publication.eforms.selectors import finding_words, notices_all
from publication.eforms.services import notices_build_missing
from publication.eforms.validation import ValidatorMissing


class Command(BaseCommand):
    help = (
        "Write each valid eForms notice to FOLDER/<city>/<process>/<subtype>-<notice id>.xml "
        "and the failed rules of invalid ones to FOLDER/invalid.json. --build first makes the "
        "notices missing for any published step (validating each: seconds per notice subtype); "
        "--strict exits with an error when any notice is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--city", default="", help="Only this city (id or short name).")
        parser.add_argument(
            "--build", action="store_true", help="Make the missing notices first (slow)."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Fail when any notice is invalid."
        )

    def handle(self, *args, folder: Path, city: str, build: bool, strict: bool, **options):
        if build:
            started = time.monotonic()
            try:
                made = notices_build_missing(city=city)
            except ValidatorMissing as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"{len(made)} notices built and validated in {time.monotonic() - started:.1f} s."
            )
        folder.mkdir(parents=True, exist_ok=True)
        written, invalid = 0, []
        for notice in notices_all(city=city):
            if notice.is_valid:
                target = folder / notice.tender.city.slug / str(notice.tender_id)
                target.mkdir(parents=True, exist_ok=True)
                name = f"{notice.subtype}-{notice.notice_id}.xml"
                (target / name).write_text(notice.xml, encoding="utf-8")
                written += 1
            else:
                invalid.append(
                    {
                        "process": notice.tender_id,
                        "subtype": notice.subtype,
                        "notice_id": str(notice.notice_id),
                        "failed_rules": [
                            finding_words(f) for f in notice.findings if f["severity"] == "ERROR"
                        ],
                    }
                )
        (folder / "invalid.json").write_text(
            json.dumps(invalid, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        message = f"{written} valid notices in {folder}; {len(invalid)} invalid."
        if invalid and strict:
            raise CommandError(message + " See invalid.json.")
        self.stdout.write(self.style.SUCCESS(message))
