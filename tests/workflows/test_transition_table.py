"""Every transition × role × own city / other city, through the API.

Other city's people get the same 404 as for a missing process; a role the transition does not
name gets 403; a role it names gets past the permission check (200, or 409 with the guard's
reasons); automatic transitions are refused to everyone (403): only the scheduler fires them.
"""

import pytest

from tenders.procedures import TRANSITIONS
from tests.factories.tenders import place_tender_in_state_for_speed

ACTORS = [
    # username, role, own city?
    ("officer.logrono", "officer", True),
    ("legal.logrono", "legal", True),
    ("committee.logrono", "committee", True),
    ("officer.terrassa", "officer", False),
    ("legal.terrassa", "legal", False),
    ("supplier.acme", "supplier", False),
]

CASES = [pytest.param(t, actor, id=f"{t.name}-{actor[0]}") for t in TRANSITIONS for actor in ACTORS]


@pytest.mark.parametrize(("definition", "actor"), CASES)
def test_transition_permission_table(demo, api_as, definition, actor):
    username, role, own = actor
    procedure = sorted(definition.procedures)[0]
    tender = place_tender_in_state_for_speed(
        why="the table checks permissions only, for every source state of every transition "
        "(414 cases): some states need bids and scores no walk makes quickly, some no walk "
        "reaches (the partnership after its final offers)",
        city=demo.city("logrono"),
        procedure=procedure,
        state=definition.sources[0],
    )
    response = api_as(username).post(
        f"/api/v1/tenders/{tender.pk}/transitions/{definition.name}/", {}, format="json"
    )
    body = response.json()
    if not own:
        assert response.status_code == 404, body
    elif definition.automatic:
        assert response.status_code == 403, body
        assert "automatically" in body["detail"]
    elif role in definition.roles:
        assert response.status_code in (200, 400, 409), body
        if response.status_code == 409:
            assert body["reasons"], body
    else:
        assert response.status_code == 403, body
        assert "Only" in body["detail"]
    tender.refresh_from_db()
    if response.status_code != 200:
        assert tender.status == definition.sources[0], "a refused transition changes nothing"


def test_the_table_covers_every_transition_of_every_procedure():
    named = {t.name for t in TRANSITIONS}
    assert {case.values[0].name for case in CASES} == named
    assert len(CASES) == len(TRANSITIONS) * len(ACTORS)
