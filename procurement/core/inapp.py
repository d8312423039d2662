"""In-app messages: what the platform tells a user beside the e-mail, shown in the inbox with an
unread count in the header. Sending, reading and marking read."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core.exceptions import NotFound
from procurement.core.models import InAppMessage


def inapp_send(*, key: str, users: Iterable, subject: str, body: str = "", link: str = "") -> int:
    """Leave a message for each of ``users`` (users or their ids); sending the same ``key``
    again to a user leaves nothing new (a retried task, a repeated event). Runs in the caller's
    transaction. Returns how many users there were to tell."""
    ids = sorted({getattr(user, "pk", user) for user in users if user is not None})
    if not ids:
        return 0
    InAppMessage.objects.bulk_create(
        [
            InAppMessage(
                recipient_id=user_id,
                key=key[:200],
                subject=str(subject)[:300],
                body=str(body),
                link=link[:500],
            )
            for user_id in ids
        ],
        ignore_conflicts=True,
    )
    return len(ids)


def inapp_messages_for_user(*, user) -> QuerySet[InAppMessage]:
    """``user``'s messages, newest first; none for a visitor."""
    if not user.is_authenticated:
        return InAppMessage.objects.none()
    return InAppMessage.objects.filter(recipient=user).order_by("-created_at", "-pk")


def inapp_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return InAppMessage.objects.filter(recipient=user, read_at__isnull=True).count()


def inapp_message_get_for_user(*, user, pk) -> InAppMessage:
    """One of ``user``'s messages; someone else's and a missing one raise the same
    ``NotFound``."""
    try:
        return inapp_messages_for_user(user=user).get(pk=pk)
    except (InAppMessage.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Message not found.")) from error


def inapp_mark_read(*, actor, message: InAppMessage | None = None) -> int:
    """Mark ``message`` (one of ``actor``'s), or every unread message of ``actor``, read. The
    first reading is kept; returns how many messages became read."""
    unread = InAppMessage.objects.filter(recipient=actor, read_at__isnull=True)
    if message is not None:
        unread = unread.filter(pk=message.pk)
    return unread.update(read_at=timezone.now())
