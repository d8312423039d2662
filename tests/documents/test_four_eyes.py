"""Four eyes on templates: the legal text that generates acts is approved by someone other than
who wrote or submitted it (L40/2015 art. 41.2 asks a responsible body to supervise and check the
automated action's specifications; the same person cannot be both)."""

import pytest

from documents.models import TemplateVersion
from documents.services import (
    template_create,
    template_version_approve,
    template_version_create,
    template_version_submit,
)
from procurement.core.exceptions import Conflict
from tests.factories.people import colleague

pytestmark = pytest.mark.django_db

SOURCE = "# Objeto\nEl objeto es {{ process.title }}.\n"


@pytest.fixture
def drafted(demo):
    author = demo.user("legal.logrono")
    template = template_create(actor=author, kind="ppt", language="es", name="PPT", source=SOURCE)
    return template.versions.get()


def test_the_author_who_submitted_a_version_cannot_approve_it(demo, drafted):
    author = demo.user("legal.logrono")
    template_version_submit(actor=author, version=drafted)
    with pytest.raises(Conflict) as refused:
        template_version_approve(actor=author, version=drafted)
    assert "someone other than who wrote or submitted it" in refused.value.message
    assert refused.value.message.endswith("(L40/2015 art. 41.2).")
    drafted.refresh_from_db()
    assert drafted.status == TemplateVersion.Status.IN_REVIEW


def test_who_submitted_another_s_text_cannot_approve_it_either(demo, drafted):
    second = colleague(city=demo.city("logrono"))
    template_version_submit(actor=second, version=drafted)
    with pytest.raises(Conflict):
        template_version_approve(actor=second, version=drafted)


def test_a_colleague_of_the_legal_team_approves_what_another_wrote_and_submitted(demo, drafted):
    template_version_submit(actor=demo.user("legal.logrono"), version=drafted)
    reviewer = colleague(city=demo.city("logrono"))
    approved = template_version_approve(actor=reviewer, version=drafted)
    assert approved.status == TemplateVersion.Status.APPROVED and approved.approved_by == reviewer


def test_a_new_version_written_by_the_reviewer_needs_a_third_pair_of_eyes_or_the_author(
    demo, drafted
):
    author = demo.user("legal.logrono")
    reviewer = colleague(city=demo.city("logrono"))
    version = template_version_create(actor=reviewer, template=drafted.template, source=SOURCE)
    template_version_submit(actor=reviewer, version=version)
    with pytest.raises(Conflict):
        template_version_approve(actor=reviewer, version=version)
    assert template_version_approve(actor=author, version=version).approved_by == author
