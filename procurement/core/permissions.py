"""Object permissions in one vocabulary (STYLE rule 4).

Reads go through ``object_get_for_user``: it fetches and authorises in one query and raises the
same ``NotFound`` for an object that does not exist and one the user may not see.
"""

import functools
from typing import TypeVar, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
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


@functools.cache
def _grant_tables(model: type[models.Model]) -> tuple[str, str] | None:
    """``FROM … WHERE`` of ``model``'s group grants and personal grants (alias ``g``), each
    narrowed to one user (parameter: the user's id). ``None`` when ``model`` has no direct-FK
    permission tables. Written once per model from the tables' metadata."""
    direct = _direct_models(model)
    if direct is None:
        return None
    user_model, group_model = direct
    q = connection.ops.quote_name
    memberships = get_user_model()._meta.get_field("groups").remote_field.through._meta  # type: ignore[union-attr]
    member = cast(models.Field, memberships.get_field("user")).column
    by_group = (
        f"FROM {q(group_model._meta.db_table)} g "
        f"JOIN {q(memberships.db_table)} m ON m.{q('group_id')} = g.{q('group_id')} "
        f"WHERE m.{q(member)} = %s"
    )
    by_user = f"FROM {q(user_model._meta.db_table)} g WHERE g.{q('user_id')} = %s"
    return by_group, by_user


@functools.cache
def _grant_sql(model: type[models.Model]) -> tuple[str, str, str, str] | None:
    """SQL for the grants on ``model``'s rows: (ids of the rows ``user`` holds the permission on;
    the group and the personal grant tables' ``FROM … WHERE``; the granted row's column).
    ``None`` when ``model`` has no direct-FK permission tables.

    Passed as raw SQL: building the same subqueries with the ORM cost more than the whole read
    they guard. Parameters, in order: the user's id and the permission's id, twice (groups,
    then the user).
    """
    tables = _grant_tables(model)
    if tables is None:
        return None
    q = connection.ops.quote_name
    # The permission's id as a parameter: the grant tables are then read by their (grantee,
    # permission, object) unique index alone.
    wanted = f"g.{q('permission_id')} = %s"
    by_group, by_user = (f"{tables_sql} AND {wanted}" for tables_sql in tables)
    target = f"g.{q('content_object_id')}"
    ids = f"SELECT {target} {by_group} UNION ALL SELECT {target} {by_user}"
    return ids, by_group, by_user, target


def _held_sql(model: type[models.Model], row: str) -> str | None:
    """ "Does the user hold the permission on the ``model`` row whose id is in column ``row``"
    (a quoted column of the enclosing query), correlated: each grant table is probed by key."""
    sql = _grant_sql(model)
    if sql is None:
        return None
    _ids, by_group, by_user, target = sql
    return f"EXISTS (SELECT 1 {by_group} AND {target} = {row}) OR EXISTS (SELECT 1 {by_user} AND {target} = {row})"


def _grant_params(user, perm: str) -> tuple:
    permission = permission_id(perm)
    return (user.pk, permission, user.pk, permission)


_PERMISSION_IDS: dict[str, int] = {}


def permission_id(perm: str) -> int:
    """The id of permission ``app_label.codename`` (0, which no grant holds, when there is no
    such permission). Read once per process: permissions are made by migrations; a flush of
    the database, which makes them again, empties the memo (``forget_permission_ids``). Asked
    inline in every grant check instead, the permission's lookup made the planning of a list
    with several roles' grants cost more than running it."""
    known = _PERMISSION_IDS.get(perm)
    if known is None:
        from django.contrib.auth.models import Permission

        app_label, _dot, codename = perm.partition(".")
        found = (
            Permission.objects.filter(codename=codename, content_type__app_label=app_label)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            return 0
        known = _PERMISSION_IDS[perm] = found
    return known


def forget_permission_ids(**_kwargs) -> None:
    """``post_migrate``'s receiver: migrations and flushes may give permissions new ids."""
    _PERMISSION_IDS.clear()


def grants_q(user, perm: str, model: type[models.Model]) -> Q | None:
    """A condition on ``model``'s rows: ``user`` holds ``perm`` on the row, through a group or
    a personal grant. Uncorrelated, so a list reads its page by index and the database hashes
    the user's grants once. ``None`` when ``model`` has no direct-FK permission tables."""
    sql = _grant_sql(model)
    if sql is None:
        return None
    # Safe: the SQL holds only table and column names from model metadata; values are parameters.
    return Q(pk__in=RawSQL(sql[0], _grant_params(user, perm)))  # noqa: S611


def held_q(user, perm: str, model: type[models.Model]) -> Q | None:
    """The same condition as ``grants_q``, correlated: each row probes the grant tables by key.
    For a list read in index order that stops after a page, where ``grants_q`` would first read
    all of the user's grants (a city's every process) to hash them. ``None`` when ``model`` has
    no direct-FK permission tables."""
    q = connection.ops.quote_name
    row = f"{q(model._meta.db_table)}.{q(model._meta.pk.column)}"  # type: ignore[union-attr]
    sql = _held_sql(model, row)
    if sql is None:
        return None
    # Safe: only table and column names from model metadata; values are parameters.
    return Q(RawSQL(f"({sql})", _grant_params(user, perm), models.BooleanField()))  # noqa: S611


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
    user, perm: str, queryset: models.QuerySet[M], name: str, *, via: str = ""
) -> models.QuerySet[M]:
    """``queryset`` with a boolean ``name`` per row: does ``user`` hold ``perm`` on it (or, with
    ``via``, on the object its foreign key ``via`` points at)? One query reads an object and
    decides which side of it the user may see."""
    model = queryset.model
    q = connection.ops.quote_name
    if via:
        field = cast(models.ForeignKey, model._meta.get_field(via))
        target_model = cast(type[models.Model], field.related_model)
        row = f"{q(model._meta.db_table)}.{q(field.column)}"
    else:
        target_model = model
        row = f"{q(model._meta.db_table)}.{q(model._meta.pk.column)}"  # type: ignore[union-attr]
    if not user.is_authenticated or not user.is_active:
        condition: Q | models.Expression = models.Value(False)
    elif user.is_superuser:
        condition = models.Value(True)
    else:
        held = _held_sql(target_model, row)
        if held is None:
            allowed = objects_for_user(user, perm, target_model._default_manager.all())
            condition = Q(**{f"{via or 'pk'}__in": allowed.values("pk")})
        else:
            # Safe: only table and column names from model metadata; values are parameters.
            condition = RawSQL(held, _grant_params(user, perm), models.BooleanField())  # noqa: S611
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


def object_perms_of(user, obj: models.Model) -> set[str]:
    """The ``app_label.codename`` permissions ``user`` holds on ``obj`` through a user or group
    grant, in one query (guardian's checker needs two). A superuser's answer is not a set: ask
    ``user.is_superuser`` first. Objects without direct-FK grant tables are asked of guardian."""
    if not user.is_authenticated or not user.is_active:
        return set()
    model = type(obj)
    app_label = model._meta.app_label
    tables = _grant_tables(model)
    if tables is None:
        from guardian.shortcuts import get_perms

        return {f"{app_label}.{codename}" for codename in get_perms(user, obj)}
    by_group, by_user = tables
    q = connection.ops.quote_name
    on_object = f"g.{q('content_object_id')} = %s"
    sql = (
        f"SELECT p.{q('codename')} FROM {q('auth_permission')} p "  # noqa: S608
        f"WHERE p.{q('id')} IN (SELECT g.{q('permission_id')} {by_group} AND {on_object} "
        f"UNION ALL SELECT g.{q('permission_id')} {by_user} AND {on_object})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (user.pk, obj.pk, user.pk, obj.pk))
        return {f"{app_label}.{codename}" for (codename,) in cursor.fetchall()}
