"""The forms' renderer writes selects and inputs in Python: the same HTML, byte for byte, as
Django's templates write (``procurement.core.renderers``)."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from procurement.core.renderers import FormRenderer


class Everything(forms.Form):
    q = forms.CharField(max_length=20, help_text="Words", widget=forms.TextInput(attrs={"x": True}))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "off": False}))
    count = forms.IntegerField(min_value=0)
    mail = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    site = forms.URLField(required=False, assume_scheme="https")
    city = forms.ChoiceField(
        choices=[("", "Any"), ("a&b", 'Ávila "<b>"'), ("Group", [("x", "X"), ("y", "Y <i>")])]
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], required=False)
    agree = forms.BooleanField(required=False)  # a checkbox: still Django's template


FILLED = {
    "q": 'say "<hi>" & bye',
    "hidden": "h'1",
    "day": "2026-12-02",
    "count": "-3",
    "mail": "not-an-address",
    "secret": "s3cret",
    "site": "https://example.org/?a=1&b=2",
    "city": "y",
    "many": ["2"],
    "agree": "on",
}


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"data": FILLED},
        {"initial": {"day": dt.date(2026, 1, 31), "q": "<x>"}},
        {"data": {f"p-{k}": v for k, v in FILLED.items()}, "prefix": "p"},
    ],
    ids=["empty", "bound with errors", "initial", "prefixed"],
)
def test_the_html_is_what_djangos_templates_write(arguments):
    ours, django = (
        Everything(**arguments, renderer=renderer)
        for renderer in (FormRenderer(), DjangoTemplates())
    )
    ours.is_valid(), django.is_valid()
    html = str(ours.render())

    assert html == str(django.render())
    if ours.is_bound:
        assert 'value="say &quot;&lt;hi&gt;&quot; &amp; bye"' in html
        assert '<option value="a&amp;b">Ávila &quot;&lt;b&gt;&quot;</option>' in html
