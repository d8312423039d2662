"""A city enters what its notices need in the admin site; notices there are read-only."""

from django.urls import reverse

from publication.models import BuyerProfile


def test_an_administrator_enters_a_citys_buyer_profile(admin_client, demo):
    city = demo.city("terrassa")
    response = admin_client.post(
        reverse("admin:publication_buyerprofile_add"),
        {
            "city": city.pk,
            "tax_id": "P0827900B",
            "email": "contractacio@example.org",
            "telephone": "+34 937 000 000",
            "town": "Terrassa",
            "postal_code": "08221",
            "nuts": "ES511",
            "review_body": "Tribunal Català de Contractes del Sector Públic",
            "review_body_tax_id": "S0800491F",
            "review_body_email": "tccsp@example.org",
            "review_body_town": "Barcelona",
            "review_body_postal_code": "08003",
            "review_body_nuts": "ES511",
        },
    )
    assert response.status_code == 302, response.content
    assert BuyerProfile.objects.get(city=city).tax_id == "P0827900B"
    assert admin_client.get(reverse("admin:publication_notice_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:publication_notice_add")).status_code == 403
