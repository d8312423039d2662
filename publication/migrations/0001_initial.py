"""OCDS releases move from the tenders app to publication: the table stays as it is."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0002_cpvcode_outboundemail"),
        ("tenders", "0008_tender_city_created"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OcdsRelease",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("ocid", models.CharField(db_index=True, max_length=120, verbose_name="ocid")),
                        ("release_id", models.CharField(max_length=160, unique=True, verbose_name="release id")),
                        ("tag", models.JSONField(default=list, verbose_name="tag")),
                        ("date", models.DateTimeField(verbose_name="release date")),
                        ("data", models.JSONField(verbose_name="release")),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="recorded")),
                        ("audit_entry", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.auditentry")),
                        ("tender", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="ocds_releases", to="tenders.tender")),
                    ],
                    options={
                        "db_table": "tenders_ocdsrelease",
                        "verbose_name": "OCDS release",
                        "verbose_name_plural": "OCDS releases",
                        "ordering": ["created_at", "pk"],
                        "indexes": [models.Index(fields=["ocid", "date"], name="tenders_ocd_ocid_19733b_idx")],
                        "constraints": [models.UniqueConstraint(fields=("tender", "audit_entry"), name="ocdsrelease_once_per_step")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
