"""The process models the scheduler watches (each app registers its own in ``ready()``)."""

from django.db import models

MACHINES: list[type[models.Model]] = []


def register_machine(model: type[models.Model]) -> None:
    if model not in MACHINES:
        MACHINES.append(model)
