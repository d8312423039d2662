"""The forms' renderer: Django's, except that a ``<select>`` and an ``<input>`` are written here
in Python.

Django renders each option of a select through two included templates (the option and its
attributes): the 150 cities of a network in the process list's search cost about 8 ms of a
40 ms page. ``render_select`` writes the same HTML as ``django/forms/widgets/select.html`` and
``select_option.html`` (same whitespace, same escaping), for any widget that keeps Django's
option template. An input (text, date, number…) is two templates deep too (``text.html``
includes ``input.html``, which includes ``attrs.html``): the search's six inputs cost 2 ms of
the process list; ``render_input`` writes what they write. Anything else goes to the templates
as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# The widgets' templates that hold nothing but an include of ``input.html`` and a line end.
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "text",
        "date",
        "email",
        "number",
        "password",
        "url",
        "search",
        "tel",
        "hidden",
        "datetime",
        "time",
    )
}


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: ``True`` as a bare name, ``False`` left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget: dict) -> SafeString:
    """``text.html`` (and its siblings) over ``input.html`` (the renderer strips the line
    ends around it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def render_select(widget: dict) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if (
            template_name == SELECT
            and widget is not None
            and all(
                option["template_name"] == OPTION
                for _name, choices, _index in widget["optgroups"]
                for option in choices
            )
        ):
            return render_select(widget)
        if template_name in INPUTS and widget is not None:
            return render_input(widget)
        return super().render(template_name, context, request=request)
