"""OCDS releases now belong to the publication app (its 0001 takes the same table over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0008_tender_city_created"),
        ("publication", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OcdsRelease")],
            database_operations=[],
        ),
    ]
