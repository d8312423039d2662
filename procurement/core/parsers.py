"""The API's JSON parser: refuses text that no database column can hold faithfully.

JSON may escape characters that UTF-8 cannot encode (lone surrogates such as ``"\\ud800"``) or
that PostgreSQL refuses in text and ``jsonb`` (NUL, ``"\\u0000"``). DRF's ``CharField`` refuses
both, but free-form objects (transition data, bid envelopes) and ignored keys would carry them to
the database and turn a typo into a 500. They are refused here, once, for every endpoint.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _unstorable(data):
            raise ParseError(
                _(
                    "JSON parse error - text may not contain NUL (null) characters or lone surrogates."
                )
            )
        return data
