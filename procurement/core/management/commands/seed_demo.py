from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load the demo network (idempotent): every app's seeder in settings.DEMO_SEEDERS."

    def handle(self, *args, **options):
        for path in settings.DEMO_SEEDERS:
            import_string(path)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Password: opencpi-demo"))
