"""Object permissions in one vocabulary (STYLE rule 4).

Reads go through ``object_get_for_user``: it fetches and authorises in one query and raises the
same ``NotFound`` for an object that does not exist and one the user may not see.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from procurement.core.exceptions import NotFound

M = TypeVar("M", bound=models.Model)


def objects_for_user(user, perm: str, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The objects of ``queryset`` on which ``user`` holds ``perm`` through a user or group grant.

    Global permissions are ignored on purpose: organisation users never hold them, and a global
    grant would otherwise open every city's objects.
    """
    if not user.is_authenticated:
        return queryset.none()
    return get_objects_for_user(
        user, perm, klass=queryset, accept_global_perms=False, with_superuser=True
    )


def object_get_for_user(user, perm: str, queryset: models.QuerySet[M], **lookup) -> M:
    try:
        return objects_for_user(user, perm, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        name = str(queryset.model._meta.verbose_name).capitalize()
        raise NotFound(_("%(name)s not found.") % {"name": name}) from error


def user_has_object_perm(user, perm: str, obj: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    return user.has_perm(perm, obj)
