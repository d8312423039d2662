"""The OCDS packages declare every extension whose fields their releases use, and pass the
shared offline OCDS validator (../shared/ocds/offline_validate.py) as exported."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from publication.ocds.records import EXTENSIONS, LOTS_EXTENSION, SCALE_EXTENSION


def _shared_validator():
    path = Path(settings.SHARED_DIR) / "ocds" / "offline_validate.py"
    spec = importlib.util.spec_from_file_location("opencpi_ocds_offline_validate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def exported(demo, django_capture_on_commit_callbacks, tmp_path):
    from documents import demo as documents_demo
    from tenders import demo as tenders_demo

    with django_capture_on_commit_callbacks(execute=True):
        documents_demo.seed()
        tenders_demo.seed()
    call_command("export_ocds", str(tmp_path))
    return tmp_path


def test_the_exported_packages_pass_the_shared_ocds_validator(exported, capsys):
    validator = _shared_validator()
    assert validator.validate(exported / "releases.json", "release") == 0, capsys.readouterr().out
    assert validator.validate(exported / "records.json", "record") == 0, capsys.readouterr().out


def test_the_packages_declare_the_extensions_their_releases_use(exported):
    package = json.loads((exported / "releases.json").read_text())
    releases = package["releases"]
    assert package["extensions"] == EXTENSIONS
    used = set()
    for release in releases:
        if release.get("tender", {}).get("lots") or any(
            a.get("relatedLots") for a in release.get("awards", [])
        ):
            used.add(LOTS_EXTENSION)
        if any("scale" in p.get("details", {}) for p in release.get("parties", [])):
            used.add(SCALE_EXTENSION)
        # No release carries fields of an extension not declared (bids, for one).
        assert "bids" not in release
    assert used == set(EXTENSIONS)
    records = json.loads((exported / "records.json").read_text())
    assert records["extensions"] == EXTENSIONS
