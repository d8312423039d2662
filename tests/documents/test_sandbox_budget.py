"""No template expression builds a value past the output budget.

Each string-building form a legal team can write is either refused when the template is saved
(where the size shows in the source) or stopped while rendering, before the long value exists:
the render's peak memory stays within a small multiple of the budget and it ends in bounded
time, with a message the legal team can act on.
"""

import time
import tracemalloc

import pytest

from documents.context import sample_context
from documents.sandbox import TemplateProblem, template_check, template_render_text

BUDGET = 20_000  # characters of output allowed in these renders
# Compiling a template and the sample context take well under this; a string of the budget's
# size takes at most 4 bytes a character. Each form below reached megabytes before the bounds.
PEAK_BYTES = 3 * 1024 * 1024
SECONDS = 0.5

# A chain of doublings: each ``set`` doubles the text made by the one before.
DOUBLING = "{% set s = 'x' * 1000 %}" + "{% set s = s ~ s %}" * 15 + "{{ s|length }}"
ADDING = "{% set s = 'x' * 1000 %}" + "{% set s = s + s %}" * 15 + "{{ s|length }}"

FORMS = [
    # (form, source, refused at save with, stopped at render with)
    ("format width", "{{ '%09999999d' % 0 }}", "format width", "format width"),
    ("format precision", "{{ '%.9999999f' % 1 }}", "format width", "format width"),
    ("format width from an argument", "{{ '%*d' % (9999999, 0) }}", None, "format width"),
    (
        "format of a long argument",
        "{{ '%s%s' % (('x' * 15000), ('y' * 15000)) }}",
        None,
        "too long",
    ),
    ("~ doubling", DOUBLING, None, "too long"),
    ("+ doubling", ADDING, None, "too long"),
    ("* repeat of a text", "{{ 'x' * 30000 }}", None, "too long"),
    ("* repeat of a literal", "{{ 'x' * 50000000 }}", "too long", "too long"),
    ("* repeat of a list, printed", "{{ ['x' * 10000] * 10000 }}", None, "too long"),
    ("replace", "{{ ('x' * 1000)|replace('x', 'y' * 5000) }}", None, "too long"),
    ("replace of the empty text", "{{ ('x' * 1000)|replace('', 'y' * 5000) }}", None, "too long"),
    ("join of long items", "{{ (['x' * 10000] * 10000)|join }}", None, "too long"),
    ("join with a long separator", "{{ range(1000)|join('y' * 10000) }}", None, "too long"),
    ("string of a long list", "{{ (['x' * 10000] * 10000)|string|length }}", None, "too long"),
    ("sum of lists", "{{ ([['x'] * 1000] * 200)|sum(start=[])|length }}", None, "too long"),
    (
        "truncate with a long end",
        "{{ 'abc'|truncate(1, end=('x' * 19000) ~ ('y' * 19000)) }}",
        None,
        "too long",
    ),
    (
        "set block in a loop",
        "{% set s %}{% for i in range(1000) %}{{ 'x' * 10000 }}{% endfor %}{% endset %}"
        "{{ s|length }}",
        None,
        "too long",
    ),
    (
        "many values each within the budget",
        "{% for i in range(1000) %}{% set s = ('x' * 19000) ~ i %}{% endfor %}",
        None,
        "too long",
    ),
    (
        "upper of a long text in a loop",
        "{% for i in range(1000) %}{% set s = ('x' * 19000)|upper %}{% endfor %}",
        None,
        "too long",
    ),
    (
        "numbers multiplied",
        "{% set n = 1000000 * 1000000 %}" + "{% set n = n * n %}" * 8 + "{{ n }}",
        None,
        "too large",
    ),
    ("str.format width", "{{ '{:>99999999}'.format(1) }}", "only range()", "not allowed"),
    (
        "loop() recursion",
        "{% for s in ['x'] recursive %}{{ loop([s ~ s]) }}{% endfor %}",
        "only range()",
        "not allowed",
    ),
    ("center", "{{ 'x'|center(99999999) }}", "unknown filter", "center"),
    ("indent", "{{ ('x\n' * 100)|indent(99999999) }}", "unknown filter", "indent"),
    ("format filter", "{{ '%09999999d'|format(0) }}", "unknown filter", "format"),
    (
        "wordwrap",
        "{{ ('x ' * 5000)|wordwrap(1, wrapstring='y' * 5000) }}",
        "unknown filter",
        "wordwrap",
    ),
    ("indent of many lines", "{{ ('x\n' * 5000)|indent('y' * 5000) }}", "unknown filter", "indent"),
]


@pytest.mark.parametrize(
    ("form", "source", "on_save", "on_render"), FORMS, ids=[f[0] for f in FORMS]
)
def test_string_building_stays_within_the_budget(form, source, on_save, on_render):
    problems = " ".join(message for _line, message in template_check(source=source, kind="pcap"))
    if on_save:
        assert on_save.lower() in problems.lower(), problems
    context = sample_context(kind="pcap", language="es")
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TemplateProblem) as error:
            template_render_text(
                source=source, context=context, max_seconds=SECONDS, max_chars=BUDGET
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert on_render.lower() in error.value.message.lower()
    assert peak < PEAK_BYTES, f"{form}: peak {peak:,} bytes"
    assert elapsed < SECONDS + 0.5, f"{form}: {elapsed:.2f} s"


def test_a_worker_renders_a_sound_template_after_refusing_a_runaway_one():
    context = sample_context(kind="pcap", language="es")
    with pytest.raises(TemplateProblem):
        template_render_text(source=DOUBLING, context=context, max_chars=BUDGET)
    assert (
        template_render_text(source="{{ process.title }}", context=context)
        == (context["process"]["title"])
    )


SOUND = [
    ("{{ '%05.1f%%' % 12.345 }}", "012.3%"),
    ("{{ '%(a)s-%(b)03d' % {'a': 'x', 'b': 7} }}", "x-007"),
    ("{{ '%-6s|' % 'ab' }}", "ab    |"),
    ("{{ 'a' ~ 1 ~ [2] }}", "a1[2]"),
    ("{{ 'ab' * 3 }}", "ababab"),
    ("{{ [1, 2] + [3] }}", "[1, 2, 3]"),
    ("{{ 'ab'|replace('b', 'cc') }}", "acc"),
    ("{{ ['a', 'b']|join(', ') }}", "a, b"),
    ("{{ [{'n': 'a'}, {'n': 'b'}]|join('/', attribute='n') }}", "a/b"),
    ("{{ [[1], [2]]|sum(start=[]) }}", "[1, 2]"),
    ("{{ range(3)|join(',') }}", "0,1,2"),
    ("{{ range(4)|sum }}", "6"),
    ("{{ 'abcdefghij'|truncate(5, False, '.', 0) }}", "abcd."),
    ("{{ 'abcdefghij'|truncate(5, end='.', leeway=0) }}", "abcd."),
    ("{{ {'a': 1}|string }}", "{'a': 1}"),
    ("{% set s %}a{{ 1 }}b{% endset %}{{ s }}", "a1b"),
    ("{{ 10**6 * 10**6 }}", "1000000000000"),
]


@pytest.mark.parametrize(("source", "expected"), SOUND, ids=[s[0] for s in SOUND])
def test_bounded_forms_still_build_what_fits(source, expected):
    assert template_check(source=source, kind="pcap") == []
    context = sample_context(kind="pcap", language="es")
    assert template_render_text(source=source, context=context, max_chars=BUDGET) == expected
