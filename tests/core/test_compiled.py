"""A query compiled once (``procurement.core.compiled``) returns what the ORM returns."""

import datetime as dt

import pytest
from django.apps import apps
from django.db.models import Count
from django.db.models.signals import post_migrate
from knox.models import AuthToken
from knox.settings import CONSTANTS

from procurement.accounts.models import User
from procurement.accounts.services import api_token_create
from procurement.core.compiled import KeptQueries, compiled

pytestmark = pytest.mark.django_db


def _user(username: str) -> User:
    return User.objects.create_user(username=username, password="x" * 12, first_name="Ana")


def test_token_and_its_user_read_as_the_orm_reads_them(django_assert_num_queries):
    alice = _user("alice")
    key = api_token_create(user=alice)[: CONSTANTS.TOKEN_KEY_LENGTH]
    _user("bob")  # another user's token must not come back
    api_token_create(user=User.objects.get(username="bob"))
    read = compiled(lambda k: AuthToken.objects.select_related("user").filter(token_key=k))

    with django_assert_num_queries(1):
        (token,) = read(key)
        user = token.user  # attached, as select_related attaches it
    (expected,) = AuthToken.objects.select_related("user").filter(token_key=key)

    assert (token.pk, token.digest, token.expiry, token.created) == (
        expected.pk,
        expected.digest,
        expected.expiry,
        expected.created,
    )
    # The database's converters ran: SQLite's times come back aware, as through the ORM.
    assert token.expiry.tzinfo is not None and token.expiry.utcoffset() == dt.timedelta(0)
    assert (user.pk, user.username, user.first_name, user.is_active) == (
        alice.pk,
        "alice",
        "Ana",
        True,
    )
    assert token._state.db == "default" and not token._state.adding


def test_other_values_reuse_the_sql_and_an_unknown_one_finds_nothing():
    for name in ("carla", "dario"):
        api_token_create(user=_user(name))
    read = compiled(lambda k: AuthToken.objects.select_related("user").filter(token_key=k))
    keys = AuthToken.objects.order_by("user__username").values_list("token_key", flat=True)

    assert [t.user.username for key in keys for t in read(key)] == ["carla", "dario"]
    assert read("no-such-k") == []


def test_annotations_come_back_on_the_instances():
    user = _user("elena")
    api_token_create(user=user)
    api_token_create(user=user)
    read = compiled(
        lambda name: User.objects.filter(username=name).annotate(tokens=Count("auth_token_set"))
    )

    (found,) = read("elena")

    assert (found.pk, found.tokens) == (user.pk, 2)


def test_a_query_that_does_not_return_instances_is_refused():
    read = compiled(lambda name: User.objects.filter(username=name).values("pk"))

    with pytest.raises(ValueError, match="model instances"):
        read("anyone")


def test_a_value_changed_on_its_way_to_the_sql_is_refused():
    read = compiled(lambda name: User.objects.filter(username__startswith=name))

    with pytest.raises(ValueError, match="do not reach the SQL"):
        read("an")


# --- KeptQueries: a queryset's SQL kept under a key naming what it is built from -------------


def test_kept_sql_reads_the_rows_as_they_are_now(django_assert_num_queries):
    kept = KeptQueries()
    _user("fabio")
    built = []

    def build():
        built.append(1)
        return User.objects.filter(username__startswith="f").order_by("username")

    assert [u.username for u in kept.rows(("f-users",), build)] == ["fabio"]
    _user("flora")  # the SQL is kept, never the rows
    with django_assert_num_queries(1):
        again = kept.rows(("f-users",), build)

    assert [u.username for u in again] == ["fabio", "flora"]
    assert len(built) == 1


def test_a_key_not_kept_builds_its_own_sql_and_the_oldest_key_is_dropped():
    kept = KeptQueries(size=2)
    for name in ("gala", "hugo", "ines"):
        _user(name)
    built = []

    def named(name):
        def build():
            built.append(name)
            return User.objects.filter(username=name)

        return build

    assert [u.username for u in kept.rows(("user", "gala"), named("gala"))] == ["gala"]
    assert [u.username for u in kept.rows(("user", "hugo"), named("hugo"))] == ["hugo"]
    assert [u.username for u in kept.rows(("user", "ines"), named("ines"))] == ["ines"]
    kept.rows(("user", "gala"), named("gala"))  # dropped when ines came: built again

    assert built == ["gala", "hugo", "ines", "gala"]


def test_a_migration_forgets_every_kept_sql():
    kept = KeptQueries()
    _user("julia")
    built = []

    def build():
        built.append(1)
        return User.objects.filter(username="julia")

    kept.rows(("julia",), build)
    post_migrate.send(sender=apps.get_app_config("core"), app_config=apps.get_app_config("core"))
    kept.rows(("julia",), build)

    assert len(built) == 2


def test_an_id_is_a_parameter_too_and_one_no_database_holds_finds_nothing(
    django_assert_num_queries,
):
    kasia, _lena = _user("kasia"), _user("lena")
    read = compiled(lambda pk: User.objects.filter(pk=pk), kinds=(int,))

    assert [u.username for u in read(kasia.pk)] == ["kasia"]
    with django_assert_num_queries(0):
        assert read(2**70) == []
    with pytest.raises(TypeError, match="expected int"):
        read(str(kasia.pk))


def test_kept_sql_takes_values_as_parameters_under_one_key():
    kept = KeptQueries()
    built = []

    def build(pk):
        built.append(pk)
        return User.objects.filter(pk=pk)

    users = [_user(name) for name in ("marta", "nico")]
    found = [kept.rows(("by-id",), build, (u.pk,), (int,))[0].username for u in users]

    assert found == ["marta", "nico"] and len(built) == 1
