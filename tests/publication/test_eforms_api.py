"""Where notices are offered: /api/v1/tenders/{id}/notices/, the XML of each valid one, and the
process page; invalid notices only to the city's people, with their failed rules in words."""

import pytest
from django.urls import reverse

from publication.models import BuyerProfile, Notice
from tests.factories.tenders import make_tender

# One worker runs them all, so each subtype's schematron is compiled once per CI run.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("eforms")]


@pytest.fixture
def published(eforms_on, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(city=demo.city("logrono"), state="published", title="Robots")
    return tender


@pytest.fixture
def invalid(eforms_on, demo, django_capture_on_commit_callbacks):
    BuyerProfile.objects.filter(city=demo.city("terrassa")).delete()
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(city=demo.city("terrassa"), state="published", title="Patios")
    return tender


def test_anyone_lists_and_downloads_the_valid_notices_of_a_published_process(
    published, api_as, client
):
    response = api_as(None).get(reverse("api-tender-notices", args=[published.pk]))
    assert response.status_code == 200
    [row] = response.json()
    notice = Notice.objects.get(tender=published)
    assert row["subtype"] == "16" and row["status"] == "valid"
    assert row["notice_id"] == str(notice.notice_id)
    assert "failed_rules" not in row
    download = client.get(row["xml_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/xml"
    assert download.content.decode() == notice.xml
    assert f"eforms-16-{notice.notice_id}.xml" in download["Content-Disposition"]


def test_an_invalid_notice_is_offered_to_nobody_and_its_city_reads_what_failed(
    invalid, api_as, demo
):
    notice = Notice.objects.get(tender=invalid)
    assert notice.status == Notice.Status.INVALID
    assert api_as(None).get(reverse("api-tender-notices", args=[invalid.pk])).json() == []
    [row] = api_as("officer.terrassa").get(reverse("api-tender-notices", args=[invalid.pk])).json()
    assert row["status"] == "invalid" and row["xml_url"] is None
    assert any("BT-501-Organization-Company" in line for line in row["failed_rules"])
    # In words: the SDK's label of the field, not only its id.
    assert any(line.startswith("Registration number (BT-501") for line in row["failed_rules"])
    for user in (None, "officer.terrassa"):
        url = reverse("api-tender-notice-xml", args=[invalid.pk, notice.notice_id])
        assert api_as(user).get(url).status_code == 404


def test_missing_and_not_yours_give_the_same_404(eforms_on, demo, api_as):
    unpublished = make_tender(city=demo.city("logrono"), state="need_validated")
    other_city = api_as("officer.terrassa")
    missing = other_city.get(reverse("api-tender-notices", args=[999999]))
    hidden = other_city.get(reverse("api-tender-notices", args=[unpublished.pk]))
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    own = api_as("officer.logrono").get(reverse("api-tender-notices", args=[unpublished.pk]))
    assert own.status_code == 200 and own.json() == []


def test_the_process_page_offers_the_xml_and_shows_the_city_what_failed(
    published, invalid, client, demo
):
    page = client.get(reverse("portal:process", args=[published.pk]))
    notice = Notice.objects.get(tender=published)
    assert reverse("api-tender-notice-xml", args=[published.pk, notice.notice_id]) in (
        page.content.decode()
    )
    anonymous = client.get(reverse("portal:process", args=[invalid.pk])).content.decode()
    assert "BT-501" not in anonymous
    client.force_login(demo.user("officer.terrassa"))
    page = client.get(reverse("portal:process", args=[invalid.pk])).content.decode()
    assert "Not valid: not offered for download" in page
    assert "BT-501-Organization-Company" in page


def test_the_citys_atom_feed_has_an_entry_per_valid_notice(published, invalid, client):
    notice = Notice.objects.get(tender=published)
    feed = client.get(reverse("portal:city-feed", args=["logrono"]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert f"urn:uuid:{notice.notice_id}" in body
    assert reverse("api-tender-notice-xml", args=[published.pk, notice.notice_id]) in body
    assert "eForms notice 16: contract notice" in body
    # Terrassa's invalid notice is on nobody's feed.
    other = client.get(reverse("portal:city-feed", args=["terrassa"])).content.decode()
    assert str(Notice.objects.get(tender=invalid).notice_id) not in other
    assert client.get(reverse("portal:city-feed", args=["nowhere"])).status_code == 404
    city_page = client.get(reverse("portal:city", args=["logrono"])).content.decode()
    assert reverse("portal:city-feed", args=["logrono"]) in city_page
