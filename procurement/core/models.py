"""The shared kernel's models: a timestamped base and the append-only audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One row per transition, grant or other recorded act. Never updated nor deleted.

    ``actor`` is ``None`` when the system acted (a deadline firing, a seed command).
    """

    class Action(models.TextChoices):
        TRANSITION = "transition", _("transition")
        GRANT = "grant", _("permission granted")
        REVOKE = "revoke", _("permission revoked")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logged out")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=100, blank=True)
    from_state = models.CharField(_("from"), max_length=60, blank=True)
    to_state = models.CharField(_("to"), max_length=60, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Tamper evidence: each row carries the previous row's hash and its own (see core.audit).
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.name}"


class OutboundEmail(models.Model):
    """An e-mail to send once. ``key`` makes queueing idempotent: a retried task or a repeated
    event finds the row already there and sends nothing twice."""

    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class InAppMessage(models.Model):
    """A message to one user in the platform, beside the e-mail that says the same: what
    happened and where to act on it. Not a legal notification (``tenders.Notification`` is the
    one with evidence of receipt, LCSP DA 15ª): reading it starts no period. ``key`` makes
    sending idempotent, as ``OutboundEmail.key`` does: one message per key and recipient."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inapp_messages"
    )
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-app message")
        verbose_name_plural = _("in-app messages")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="inapp_message_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inapp_message_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="inapp_message_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class CpvCode(models.Model):
    """One code of the Common Procurement Vocabulary (CPV 2008), imported by ``import_cpv``."""

    code = models.CharField(max_length=10, primary_key=True)
    label_en = models.CharField(max_length=400)
    label_es = models.CharField(max_length=400)

    class Meta:
        verbose_name = _("CPV code")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label_en}"


class Heartbeat(models.Model):
    """The last sign of life of a background process ("worker", "beat"), read by /readyz.

    ``since`` is when the process that wrote ``at`` started, so a process that never beat can
    be told from one that has not beaten for a while."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
