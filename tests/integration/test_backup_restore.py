"""The backup and restore procedure of the README, run for real: a PostgreSQL dump plus the
private files and the sealing key, restored into a fresh database, and the demo still works."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.postgres
def test_a_dump_restored_into_a_fresh_database_keeps_the_demo_working(live_demo, tmp_path):
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} (Debian's postgresql-client) is needed for the backup test")
    from procurement.core.models import AuditEntry
    from tenders import demo as tenders_demo
    from tenders.models import Attachment, Tender

    tenders_demo.seed()  # committed: this test runs outside a wrapping transaction
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored"
    counts = (Tender.objects.count(), AuditEntry.objects.count(), Attachment.objects.count())
    dump = tmp_path / "opencpi.dump"
    files = tmp_path / "files.tgz"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _url(source)], check=True
    )
    with tarfile.open(files, "w:gz") as archive:
        for folder in (
            settings.MEDIA_ROOT,
            settings.PRIVATE_MEDIA_ROOT,
            Path(settings.SEALING_KEY_FILE).parent,
        ):
            if Path(folder).exists():
                archive.add(folder, arcname=Path(folder).name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
    subprocess.run(
        ["psql", _url("postgres"), "-c", f'CREATE DATABASE "{target}"'],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_url(target)}", str(dump)], check=True
        )
        restored = tmp_path / "restored"
        with tarfile.open(files) as archive:
            archive.extractall(restored, filter="data")
        env = {
            **os.environ,
            "DATABASE_URL": _url(target),
            "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
        }
        check = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n"
                "from django.test import Client\n"
                "from django.core.management import call_command\n"
                "from procurement.core.models import AuditEntry\n"
                "from tenders.models import Attachment, Tender\n"
                "call_command('verify_audit')\n"
                "client = Client(SERVER_NAME='localhost')\n"
                "login = client.post('/accounts/login/', {'username': 'officer.logrono', 'password': 'opencpi-demo'})\n"
                "assert login.status_code == 302, login.status_code\n"
                "assert 'Logro' in client.get('/processes/').content.decode()\n"
                "print('COUNTS', Tender.objects.count(), AuditEntry.objects.count(), Attachment.objects.count())\n",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert check.returncode == 0, check.stderr[-2000:]
        restored_counts = tuple(int(x) for x in check.stdout.split("COUNTS")[1].split()[:3])
        # The restored demo's own login adds its audit row; nothing else differs.
        assert restored_counts == (counts[0], counts[1] + 1, counts[2])
        assert "intact" in check.stdout
        assert any(restored.rglob("sealing.key")), "the sealing key travels with the backup"
    finally:
        subprocess.run(
            ["psql", _url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{target}"'],
            capture_output=True,
            check=False,
        )
