"""Serve the app as `make run` does: gunicorn, a Celery worker and beat, under one supervisor.

A program that dies is started again with back-off, and logged; Ctrl-C (or SIGTERM) stops all
three. The settings are the caller's (``DJANGO_SETTINGS_MODULE``): `make run` uses
``procurement.settings.embedded``, with DEBUG off.
"""

import logging
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from procurement.core.supervisor import Program, Supervisor


class Command(BaseCommand):
    help = "Run gunicorn, a Celery worker and beat, restarting any that dies."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (each with four threads).",
        )

    def handle(self, *args, addrport, web_workers, **options):
        logging.basicConfig(
            level=logging.INFO, format="[%(asctime)s: %(levelname)s/serve] %(message)s"
        )
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        python = sys.executable
        schedule = str(settings.CELERY_BEAT_SCHEDULE_FILENAME)
        os.makedirs(os.path.dirname(schedule), exist_ok=True)
        programs = [
            Program(
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "procurement.wsgi:application",
                    f"--bind={addrport}",
                    f"--workers={web_workers}",
                    "--threads=4",
                    # A write may wait for SQLite's lock (settings.SQLITE_BUSY_SECONDS).
                    "--timeout=90",
                    "--graceful-timeout=20",
                    # No control socket in the home folder: several servers may run side by side.
                    "--no-control-socket",
                ],
            ),
            Program(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "procurement",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                ],
            ),
            # eForms notices on a queue of their own, one at a time: validating one compiles the
            # SDK's schematron (seconds, about 0.5 GB per notice subtype), which must never hold
            # up the main queue. A child is replaced after 50 notices to give the memory back.
            Program(
                "eforms",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "procurement",
                    "worker",
                    "--queues=eforms",
                    "--hostname=eforms@%h",
                    "--concurrency=1",
                    "--max-tasks-per-child=50",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                ],
            ),
            Program(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "procurement",
                    "beat",
                    "--loglevel=INFO",
                    f"--schedule={schedule}",
                ],
            ),
        ]
        self.stdout.write(f"Serving http://{addrport}/ with a Celery worker and beat.")
        Supervisor(programs, env=env).run()
        self.stdout.write("Stopped.")
