"""``{% url %}`` reverses each address once per process and gives what Django's tag gives."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse


def _view(request, pk):  # pragma: no cover - only reversed, never called
    return HttpResponse()


# A URL configuration of this module's own, where the same name leads elsewhere.
urlpatterns = [path("elsewhere/<int:pk>/", _view, name="tender-detail")]


def _render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_the_tag_gives_the_address_django_reverses():
    text = (
        "{% url 'tender-detail' pk %}|{% url 'portal:city' slug %}|{% url 'tender-detail' pk=pk %}"
    )

    rendered = _render(text, pk=7, slug="logrono")

    assert rendered.split("|") == [
        reverse("tender-detail", args=[7]),
        reverse("portal:city", args=["logrono"]),
        reverse("tender-detail", kwargs={"pk": 7}),
    ]


def test_an_address_that_does_not_exist_still_fails_and_as_leaves_the_name_empty():
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-page' 1 %}")

    rendered = _render("{% url 'no-such-page' 1 as there %}[{{ there }}]")

    assert rendered == "[]"


def test_another_url_configuration_is_not_answered_from_the_first():
    first = _render("{% url 'tender-detail' 3 %}")
    with override_settings(ROOT_URLCONF=__name__):
        elsewhere = _render("{% url 'tender-detail' 3 %}")

    assert (first, elsewhere) == (reverse("tender-detail", args=[3]), "/elsewhere/3/")


def test_an_argument_that_is_neither_number_nor_text_is_reversed_as_django_does():
    class Number:
        def __str__(self) -> str:
            return "9"

    assert _render("{% url 'tender-detail' pk %}", pk=Number()) == reverse(
        "tender-detail", args=[9]
    )
