"""What the API runs of a phased procedure (PCP, innovation partnership) share: four suppliers
with users, a small PDF, a step taken through the API, and the committee's scores of a phase."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.accounts.models import Membership, Supplier, User
from procurement.accounts.services import membership_grant, supplier_create
from tests.conftest import DEMO_PASSWORD


def representative(supplier: Supplier, username: str) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
    membership_grant(user=user, organisation=supplier, role=Membership.Role.REPRESENTATIVE)
    return user


@pytest.fixture
def four_suppliers(demo) -> list[str]:
    """The demo's two suppliers with users, the university with a representative, and a
    fourth start-up registered through the same service."""
    representative(demo.supplier("unirioja"), "supplier.unirioja")
    lumen = supplier_create(
        name="Lumen Datos S.L.", slug="lumen", kind=Supplier.Kind.STARTUP, tax_id="B26999995"
    )
    representative(lumen, "supplier.lumen")
    return ["supplier.acme", "supplier.nova", "supplier.unirioja", "supplier.lumen"]


def pdf_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{text}.pdf", f"%PDF-1.4\n% {text}\n%%EOF\n".encode(), "application/pdf"
    )


def fire(api, tender, name, data=None, reason=""):
    """Take the step ``name`` of ``tender`` through the API."""
    return api.post(
        f"/api/v1/tenders/{tender.pk}/transitions/{name}/",
        {"data": data or {}, "reason": reason},
        format="json",
    )


def score_phase(
    api, contracts, criteria, points_by_supplier, why: str = "Entregables completos y medidos."
) -> None:
    """The committee member behind ``api`` scores each contract's deliverables on each of the
    phase's ``criteria`` (``points_by_supplier``: supplier id → points in criteria order)."""
    for contract in contracts:
        for criterion, points in zip(
            criteria, points_by_supplier[contract["supplier_id"]], strict=True
        ):
            response = api.post(
                f"/api/v1/phase-contracts/{contract['id']}/scores/",
                {"criterion": criterion["id"], "points": points, "justification": why},
                format="json",
            )
            assert response.status_code == 201, response.json()
