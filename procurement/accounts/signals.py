"""Logins, failed logins and logouts go to the audit log (decoupled: auth's own signals); a
changed password ends the user's API tokens."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry


def _address(request) -> str:
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "")[:64]


@receiver(user_logged_in, dispatch_uid="opencpi_audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_record(
        actor=user,
        action=AuditEntry.Action.LOGIN,
        target=user,
        name="login",
        data={"address": _address(request)},
    )


@receiver(user_logged_out, dispatch_uid="opencpi_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, target=user, name="logout")


@receiver(user_login_failed, dispatch_uid="opencpi_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        target=user,
        target_model=get_user_model(),
        name="login_failed",
        data={"username": username, "address": _address(request)},
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="opencpi_password_change_tokens")
def revoke_api_tokens_on_password_change(sender, instance, created, **kwargs):
    """A new password ends every API token of the user, wherever it was changed (admin site,
    ``changepassword``, a password form), as it ends the user's other web sessions.

    Django's ``AbstractBaseUser`` keeps the new raw password in ``_password`` from
    ``set_password()`` until the save that stores it has run (it then tells the password
    validators, ``password_changed``); a hash upgrade at login clears it first, so it does not
    count as a change.
    """
    if created or getattr(instance, "_password", None) is None:
        return
    from procurement.accounts.services import api_tokens_revoke

    api_tokens_revoke(actor=None, user=instance, reason="password changed")
