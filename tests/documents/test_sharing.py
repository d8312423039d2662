"""Legal teams share templates; other cities adopt, adapt, and merge the source's new versions."""

import pytest
from django.core import mail

from documents.models import DocumentTemplate, TemplateVersion
from documents.services import (
    template_adopt,
    template_create,
    template_merge,
    template_merge_preview,
    template_share,
    template_update_available,
    template_version_approve,
    template_version_create,
    template_version_submit,
)
from procurement.core.exceptions import Conflict, NotFound, PermissionDenied
from tests.factories.people import colleague

pytestmark = pytest.mark.django_db

BASE = """Preámbulo de {{ city.name }}.

# Objeto
El objeto es {{ process.title }}.

# Plazo
El plazo es de seis meses.

# Recursos
Cabe recurso especial.
"""


def _approve(user, template, source=None, note=""):
    version = (
        template_version_create(actor=user, template=template, source=source, note=note)
        if source is not None
        else template.versions.order_by("-number").first()
    )
    template_version_submit(actor=user, version=version)
    # Four eyes: a colleague of the same legal team approves what ``user`` wrote and submitted.
    city = user.memberships.get(role="legal").city
    return template_version_approve(actor=colleague(city=city), version=version)


@pytest.fixture
def logrono_template(demo):
    legal = demo.user("legal.logrono")
    template = template_create(
        actor=legal, kind="ppt", language="es", name="PPT Logroño", source=BASE
    )
    _approve(legal, template)
    template_share(
        actor=legal, template=template, networks=[demo.city("logrono").networks.get().pk]
    )
    return template


def test_terrassa_adopts_logronos_template_then_merges_logronos_new_version_with_its_own_edits(
    demo, logrono_template, django_capture_on_commit_callbacks
):
    logrono, terrassa = demo.user("legal.logrono"), demo.user("legal.terrassa")
    copy = template_adopt(actor=terrassa, template=logrono_template)
    assert copy.city == demo.city("terrassa")
    first = copy.versions.get()
    assert first.status == TemplateVersion.Status.DRAFT  # Terrassa's legal team approves its own
    assert first.upstream == logrono_template.versions.get(number=1)

    # Terrassa adapts the term; Logroño rewrites the appeals section and adds one.
    ours = BASE.replace("seis meses", "ocho meses")
    _approve(terrassa, copy, ours, note="Plazo de Terrassa")
    theirs = BASE.replace("Cabe recurso especial.", "Cabe recurso especial en quince días hábiles.")
    theirs += "\n# Protección de datos\nSe cumple el RGPD.\n"
    with django_capture_on_commit_callbacks(execute=True):
        new = _approve(logrono, logrono_template, theirs)

    assert template_update_available(copy) == new
    assert any("legal.terrassa" in ",".join(m.to) for m in mail.outbox)
    result, newest = template_merge_preview(copy)
    assert result.clean and newest == new

    merged = template_merge(actor=terrassa, template=copy)
    assert "ocho meses" in merged.source  # Terrassa's edit kept
    assert "quince días hábiles" in merged.source  # Logroño's change pulled
    assert "# Protección de datos" in merged.source
    assert merged.upstream == new and merged.status == TemplateVersion.Status.DRAFT
    assert template_update_available(copy) is None


def test_a_section_both_cities_changed_is_a_conflict_to_resolve(demo, logrono_template):
    logrono, terrassa = demo.user("legal.logrono"), demo.user("legal.terrassa")
    copy = template_adopt(actor=terrassa, template=logrono_template)
    _approve(terrassa, copy, BASE.replace("seis meses", "ocho meses"))
    _approve(logrono, logrono_template, BASE.replace("seis meses", "doce meses"))

    result, _newest = template_merge_preview(copy)
    assert [s.key for s in result.conflicts] == ["Plazo"]
    conflict = result.conflicts[0]
    assert "ocho meses" in conflict.ours and "doce meses" in conflict.theirs
    assert "<<<<<<<" in conflict.text

    with pytest.raises(Conflict) as refused:
        template_merge(actor=terrassa, template=copy)
    assert refused.value.extra["conflicts"][0]["section"] == "Plazo"

    merged = template_merge(
        actor=terrassa,
        template=copy,
        resolutions={"Plazo": "# Plazo\nEl plazo es de diez meses.\n"},
    )
    assert "diez meses" in merged.source and "<<<<<<<" not in merged.source


def test_a_city_cannot_adopt_a_template_not_shared_with_it(demo):
    legal = demo.user("legal.logrono")
    private = template_create(actor=legal, kind="pcap", language="es", source=BASE)
    _approve(legal, private)
    with pytest.raises(NotFound):
        template_adopt(actor=demo.user("legal.terrassa"), template=private)


def test_only_approved_versions_can_be_adopted_and_only_once(demo):
    legal = demo.user("legal.logrono")
    draft = template_create(actor=legal, kind="pcap", language="es", source=BASE)
    template_share(actor=legal, template=draft, public=True)
    with pytest.raises(Conflict):
        template_adopt(actor=demo.user("legal.terrassa"), template=draft)
    _approve(legal, draft)
    template_adopt(actor=demo.user("legal.terrassa"), template=draft)
    with pytest.raises(Conflict):
        template_adopt(actor=demo.user("legal.terrassa"), template=draft)


def test_officers_cannot_write_or_approve_templates(demo, logrono_template):
    officer = demo.user("officer.logrono")
    with pytest.raises(PermissionDenied):
        template_create(actor=officer, kind="ppt", language="es")
    with pytest.raises(PermissionDenied):
        template_version_create(actor=officer, template=logrono_template, source=BASE)
    # Terrassa sees the template (shared with RECI) but may not edit Logroño's text.
    with pytest.raises(PermissionDenied):
        template_version_create(
            actor=demo.user("legal.terrassa"), template=logrono_template, source=BASE
        )


def test_approving_a_version_retires_the_one_before(demo, logrono_template):
    legal = demo.user("legal.logrono")
    _approve(legal, logrono_template, BASE + "\nMás.\n")
    statuses = dict(logrono_template.versions.values_list("number", "status"))
    assert statuses == {1: "retired", 2: "approved"}


def test_versions_are_immutable_and_a_bad_text_is_refused_with_its_line(demo, logrono_template):
    from procurement.core.exceptions import ApplicationError

    legal = demo.user("legal.logrono")
    with pytest.raises(ApplicationError) as error:
        template_version_create(
            actor=legal, template=logrono_template, source="# A\n\n{{ process.nope }}"
        )
    assert error.value.extra["problems"][0]["line"] == 3
    assert logrono_template.versions.count() == 1


def test_sharing_only_with_the_citys_own_networks(demo, logrono_template):
    from procurement.accounts.models import Network
    from procurement.core.exceptions import ApplicationError

    innpulso = Network.objects.get(slug="innpulso")
    with pytest.raises(ApplicationError):
        template_share(
            actor=demo.user("legal.logrono"), template=logrono_template, networks=[innpulso.pk]
        )
    assert DocumentTemplate.objects.get(pk=logrono_template.pk).shared_networks.count() == 1
