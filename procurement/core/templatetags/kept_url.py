"""``{% url %}`` with each address reversed once per process (a template builtin: see
``TEMPLATES`` in the settings), the same tag in every other way.

Reversing is a pure function of the URL configuration, the script prefix, the language, the
namespace asked for and the arguments, yet Django's tag works it out on every use: the portal's
home page reverses about 180 addresses (a city card each), and reversing was a fifth of its
time when no cached copy of the page existed. Addresses whose arguments are not plain numbers
or texts are reversed every time, as by Django's tag.
"""

import functools

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_PLAIN = (int, str)


@functools.lru_cache(maxsize=8192)
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix, language) -> str:
    # ``prefix`` and ``language`` are in the key only: ``reverse`` reads them itself.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


class KeptURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        if not all(type(value) in _PLAIN for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        try:
            address = _reversed(
                view_name, args, kwargs, current_app, urlconf, get_script_prefix(), get_language()
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            address = ""  # as Django's tag: ``{% url … as name %}`` leaves the name empty
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser, token):
    """Django's ``{% url %}``: the same syntax, the same address, reversed once per process."""
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
