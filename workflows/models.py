"""The engine's own records: city-entered local holidays.

Transitions are recorded in the shared audit log (``procurement.core.models.AuditEntry``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.accounts.models import City


class CityHoliday(models.Model):
    """A local holiday a city enters itself (its two fiestas locales, say).

    National and regional holidays come from the ``holidays`` package by the city's country and
    region; these rows add what only the city knows.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="local_holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("local holiday")
        verbose_name_plural = _("local holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["city", "date"], name="cityholiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.city}: {self.date} {self.name}"


class PendingEffect(models.Model):
    """The transactional outbox of transition effects.

    Written in the transition's own transaction, so an effect exists exactly when the transition
    committed. It is dispatched after commit; if the broker is down, it stays pending and the
    relay (``workflows.relay_effects``, every minute) dispatches it once the broker is back.
    Handlers enqueue idempotent tasks, so a dispatch repeated after a crash sends nothing twice.
    """

    effect = models.CharField(max_length=60)
    handler = models.CharField(max_length=200)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    audit_entry_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["audit_entry_id", "effect", "handler"], name="pendingeffect_once"
            )
        ]
        indexes = [models.Index(fields=["dispatched_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.effect} → {self.handler} ({self.model} {self.object_pk})"
