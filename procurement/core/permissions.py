"""Object permissions in one vocabulary (STYLE rule 4).

Reads go through ``object_get_for_user``: it fetches and authorises in one query and raises the
same ``NotFound`` for an object that does not exist and one the user may not see.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from procurement.core.exceptions import NotFound

M = TypeVar("M", bound=models.Model)


_DIRECT_MODELS: dict[type[models.Model], tuple[type[models.Model], type[models.Model]] | None] = {}


def _direct_models(model: type[models.Model]):
    """The direct-FK (user, group) object permission models of ``model``, or ``None`` when it
    has none and guardian's generic tables hold its grants."""
    if model not in _DIRECT_MODELS:
        user_model = get_user_obj_perms_model(model)  # type: ignore[arg-type]  # a class works
        group_model = get_group_obj_perms_model(model)  # type: ignore[arg-type]
        direct = not user_model.objects.is_generic() and not group_model.objects.is_generic()  # type: ignore[attr-defined]
        _DIRECT_MODELS[model] = (user_model, group_model) if direct else None
    return _DIRECT_MODELS[model]


def _grant_rows(user, perm: str, model: type[models.Model]):
    """The user and group grant rows of ``perm`` held by ``user`` on objects of ``model``, or
    ``None`` when ``model`` has no direct-FK permission tables.

    Built without a query: guardian's own helpers look the permission and the user's groups up
    first, which costs two round trips on every list and detail read.
    """
    direct = _direct_models(model)
    if direct is None:
        return None
    user_model, group_model = direct
    app_label, _dot, codename = perm.partition(".")
    wanted = {"permission__codename": codename, "permission__content_type__app_label": app_label}
    return (
        user_model.objects.filter(user=user, **wanted),  # type: ignore[attr-defined]
        group_model.objects.filter(group__user=user, **wanted),  # type: ignore[attr-defined]
    )


def grants_q(user, perm: str, model: type[models.Model]) -> Q | None:
    """A condition on ``model``'s rows: ``user`` holds ``perm`` on the row. Two uncorrelated
    subqueries, so a list reads its page by index and the database hashes the grants once."""
    rows = _grant_rows(user, perm, model)
    if rows is None:
        return None
    by_user, by_group = rows
    return Q(pk__in=by_user.values("content_object_id")) | Q(
        pk__in=by_group.values("content_object_id")
    )


def objects_for_user(user, perm: str, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The objects of ``queryset`` on which ``user`` holds ``perm`` through a user or group grant,
    in the same single query as the rows themselves.

    Global permissions are ignored on purpose: organisation users never hold them, and a global
    grant would otherwise open every city's objects.
    """
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = grants_q(user, perm, queryset.model)
    if condition is None:
        return get_objects_for_user(
            user, perm, klass=queryset, accept_global_perms=False, with_superuser=True
        )
    return queryset.filter(condition)


def annotate_object_perm(
    user, perm: str, queryset: models.QuerySet[M], name: str
) -> models.QuerySet[M]:
    """``queryset`` with a boolean ``name`` per row: does ``user`` hold ``perm`` on it? One query
    reads an object and decides which side of it the user may see."""
    if not user.is_authenticated or not user.is_active:
        condition: Q | models.Value = models.Value(False)
    elif user.is_superuser:
        condition = models.Value(True)
    else:
        rows = _grant_rows(user, perm, queryset.model)
        if rows is None:
            allowed = objects_for_user(user, perm, queryset.model._default_manager.all())
            condition = Q(pk__in=allowed.values("pk"))
        else:
            # Correlated: one object is read, so each grant table is probed by its key once.
            by_user, by_group = (r.filter(content_object=OuterRef("pk")) for r in rows)
            condition = Q(Exists(by_user)) | Q(Exists(by_group))
    return queryset.annotate(
        **{name: models.ExpressionWrapper(condition, output_field=models.BooleanField())}
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
