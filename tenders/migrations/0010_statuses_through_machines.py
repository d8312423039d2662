"""Bids, responses, awards and participants change status only through their moves
(``workflows.status``): the fields become protected ``FSMField``s, same columns."""

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0009_ocdsrelease_to_publication"),
    ]

    operations = [
        migrations.AlterField(
            model_name="award",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("proposed", "proposed"),
                    ("documents_requested", "documents requested"),
                    ("documents_received", "documents received"),
                    ("failed", "failed: documents not delivered"),
                    ("awarded", "awarded"),
                    ("annulled", "annulled by an appeal"),
                ],
                default="proposed",
                max_length=20,
                protected=True,
            ),
        ),
        migrations.AlterField(
            model_name="bid",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "draft"),
                    ("submitted", "submitted"),
                    ("withdrawn", "withdrawn"),
                ],
                default="draft",
                max_length=12,
                protected=True,
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("applicant", "applicant"),
                    ("selected", "selected"),
                    ("dropped", "dropped"),
                ],
                default="applicant",
                max_length=20,
                protected=True,
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "draft"),
                    ("submitted", "submitted"),
                    ("withdrawn", "withdrawn"),
                ],
                default="draft",
                max_length=12,
                protected=True,
            ),
        ),
    ]
