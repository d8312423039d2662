"""Templates that reach beyond their context fail safely with a clear error."""

import pytest

from documents.context import sample_context
from documents.sandbox import TemplateProblem, template_check, template_render_text

ESCAPES = [
    # (template, what the save-time check says, what rendering says)
    ("{{ process.__class__ }}", "not allowed", "unsafe"),
    ("{{ process.title.__class__.__mro__ }}", "not allowed", "unsafe"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed", "unsafe"),
    ("{{ cycler.__init__.__globals__.os }}", "not allowed", "not allowed"),
    ("{{ lipsum.__globals__ }}", "not allowed", "unknown field"),
    ("{{ self.__init__.__globals__ }}", "not allowed", "unsafe"),
    ("{{ settings.SECRET_KEY }}", "unknown field “settings”", "settings"),
    ("{{ config }}", "unknown field “config”", "config"),
    ("{{ request.environ }}", "unknown field “request”", "request"),
    ("{{ process|attr('__class__') }}", "unknown filter “attr”", "attr"),
    ("{{ process.items() }}", "only range()", None),
    ("{{ process.title.format(process) }}", "only range()", None),
    ("{% for i in range(10**9) %}x{% endfor %}", None, "too large"),
    ("{% for i in range(1000000) %}x{% endfor %}", None, "limited to 1000"),
    (
        "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        None,
        "too long to render",
    ),
    ("{{ 'x' * 100000000 }}", None, "too long"),
    ("{{ 9 ** 9 ** 9 }}", None, "too large"),
    ("{% for i in range(1000) %}{{ process.description * 90 }}{% endfor %}", None, "longer than"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "not available", "only range()"),
    ("{% include '/etc/passwd' %}", "not available", None),
    ("{% extends 'base.html' %}", "not available", None),
    ("{% import 'os' as os %}", "not available", None),
    ("{% set x = process %}{{ x.pop('title') }}", "only range()", None),
]


@pytest.mark.parametrize(
    ("source", "on_save", "on_render"), ESCAPES, ids=[e[0][:40] for e in ESCAPES]
)
def test_templates_cannot_reach_beyond_their_context(source, on_save, on_render):
    problems = template_check(source=source, kind="pcap")
    if on_save:
        assert problems, "the save-time check should refuse it"
        assert on_save.lower() in " ".join(m for _l, m in problems).lower()
    if on_render is not None or not on_save:
        with pytest.raises(TemplateProblem) as error:
            template_render_text(
                source=source,
                context=sample_context(kind="pcap", language="es"),
                max_seconds=0.5,
                max_chars=20_000,
            )
        if on_render:
            assert on_render.lower() in error.value.message.lower()


def test_unknown_fields_are_reported_with_their_line():
    source = "Intro {{ city.name }}\n\n# Objeto\n{{ process.titel }}\n{% for p in participants %}{{ p.nombre }}{% endfor %}"
    problems = template_check(source=source, kind="award_resolution")
    assert [line for line, _m in problems] == [4, 5]
    assert "process.titel" in problems[0][1] and "title" in problems[0][1]
    assert "p.nombre" in problems[1][1]


def test_fields_of_other_kinds_are_unknown():
    assert template_check(source="{{ award.winner }}", kind="consultation_notice")
    assert template_check(source="{{ award.winner }}", kind="award_resolution") == []


def test_syntax_errors_carry_their_line():
    problems = template_check(source="uno\ndos\n{% if process.title %}sin cerrar", kind="ppt")
    assert problems[0][0] == 3


def test_loops_conditions_and_filters_work_on_plain_data():
    out = template_render_text(
        source="{% for p in participants %}{{ loop.index }}. {{ p.name|upper }}{% if not loop.last %}; {% endif %}{% endfor %}",
        context=sample_context(kind="award_resolution", language="es"),
    )
    assert out == "1. ACME SMART SOLUTIONS S.L.; 2. NOVA URBAN ROBOTICS S.L."


def test_a_render_error_names_its_line():
    with pytest.raises(TemplateProblem) as error:
        template_render_text(
            source="uno\ndos\n{{ process.nada }}", context=sample_context(kind="ppt", language="es")
        )
    assert error.value.errors[0][0] == 3
