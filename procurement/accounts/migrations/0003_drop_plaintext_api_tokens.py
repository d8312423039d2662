"""API tokens moved to django-rest-knox (hashed, expiring). DRF's own tokens, stored in plain
text and never ending, no longer authenticate anything: their table goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_award"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
