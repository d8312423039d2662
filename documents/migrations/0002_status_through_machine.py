"""Template versions and generated documents change status only through their moves
(``workflows.status``): the fields become protected ``FSMField``s, same columns."""

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="generateddocument",
            name="status",
            field=django_fsm.FSMField(
                choices=[("pending", "being made"), ("ready", "ready"), ("failed", "failed")],
                default="pending",
                max_length=20,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="templateversion",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "draft"),
                    ("in_review", "in legal review"),
                    ("approved", "approved"),
                    ("retired", "retired"),
                ],
                default="draft",
                max_length=20,
                protected=True,
                verbose_name="status",
            ),
        ),
    ]
