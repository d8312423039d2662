"""The one-query permission readings agree with guardian's own answers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from procurement.accounts.models import User
from procurement.core.permissions import object_perms_of
from tests.factories.tenders import make_tender


def test_a_users_permissions_on_a_process_match_guardian_for_every_demo_user(demo):
    process = make_tender(city=demo.city("logrono"), title="Permisos")
    other = make_tender(city=demo.city("terrassa"), title="Otra ciudad")
    supplier = demo.user("supplier.acme")
    assign_perm("tenders.view_tender", supplier, process)  # a personal grant, besides groups
    for user in User.objects.filter(is_superuser=False):
        with CaptureQueriesContext(connection) as queries:
            held = object_perms_of(user, process)
        assert len(queries) == 1
        assert held == {f"tenders.{codename}" for codename in get_perms(user, process)}, user
        assert object_perms_of(user, other) == {
            f"tenders.{codename}" for codename in get_perms(user, other)
        }
    officer = demo.user("officer.logrono")
    assert "tenders.act_officer" in object_perms_of(officer, process)
    assert "tenders.act_officer" not in object_perms_of(officer, other)
    assert "tenders.view_tender" in object_perms_of(supplier, process)
    remove_perm("tenders.view_tender", supplier, process)
    assert "tenders.view_tender" not in object_perms_of(supplier, process)
    officer.is_active = False
    assert object_perms_of(officer, process) == set()
