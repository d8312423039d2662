"""Serve the app with a Celery worker and beat beside it, as `make run` does.

The worker runs as a child process and is stopped when the web server stops (Ctrl-C included).
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with the beat scheduler."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        broker_dir = settings.VAR_DIR / "broker"
        for sub in ("queue", "processed"):
            (broker_dir / sub).mkdir(parents=True, exist_ok=True)
        worker = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "procurement",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=1",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
            env=os.environ.copy(),
        )
        self.stdout.write(f"Celery worker and beat started (pid {worker.pid}).")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
            self.stdout.write("Celery worker stopped.")
