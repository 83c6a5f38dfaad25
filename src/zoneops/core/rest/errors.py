"""The one error body of the REST API (see zoneops.api.errors), built here so that the
middleware in core answers /api/ requests in the same shape as the API's exception handler."""

import functools
import re

from django.utils import translation
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The kind of error of each status, in both languages (the particular error is in ``detail``).
MESSAGES = {
    400: ("invalid", _("The request is not valid.")),
    401: ("not_authenticated", _("Authentication credentials were not provided or are wrong.")),
    403: ("permission_denied", _("You do not have permission to perform this action.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("Method not allowed.")),
    406: ("not_acceptable", _("The requested response format cannot be served.")),
    409: ("conflict", _("The request conflicts with the record's current state.")),
    415: ("unsupported_media_type", _("Unsupported media type: send JSON.")),
    429: ("throttled", _("Too many requests: try again later.")),
}
NON_FIELD_KEYS = ("non_field_errors", "detail")


def both_languages(text) -> dict:
    with translation.override("zh-hans"):
        zh = force_str(text)
    with translation.override("en"):
        en = force_str(text)
    return {"zh": zh, "en": en}


def message_in_both_languages(text) -> dict:
    """A message in Chinese and English, whatever the request's language.

    A lazy message is rendered in each language. A message already rendered (DRF and Django
    render a field's error when they raise it, with its values: 'Ensure this field has no more
    than 40 characters.') is found in the Chinese catalogue by its text, exactly or as a
    template with its values, and rendered in the other language with the same values; a text
    no catalogue holds (a name, a value) is the same in both."""
    if isinstance(text, Promise):
        return both_languages(text)
    text = force_str(text)
    chinese = (translation.get_language() or "").lower().startswith("zh")
    other = _other_language(text, "zh" if chinese else "en")
    return {"zh": text, "en": other} if chinese else {"zh": other, "en": text}


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sd]|\{(\w*)\}")


def _other_language(text: str, language: str) -> str:
    exact, templates = _catalogue()
    side, other_side = (1, 0) if language == "zh" else (0, 1)
    found = exact[side].get(text)
    if found is not None:
        return found
    for pattern, names, pair in templates[side]:
        match = pattern.fullmatch(text)
        if match is not None:
            values = [match.group(f"g{i}") for i in range(len(names))]
            return _render(pair[other_side], dict(zip(names, values, strict=True)), values)
    return text


def _render(template: str, named: dict, ordered: list) -> str:
    position = iter(ordered)

    def value(match):
        name = match.group(1) or match.group(2)
        if name and name in named:
            return named[name]
        return next(position, match.group(0))

    return _PLACEHOLDER.sub(value, template)


@functools.cache
def _catalogue():
    """(exact, templates): for English [0] and Chinese [1], the messages without values
    (text → the other language's text) and the templates with values, longest text first."""
    from django.utils.translation import trans_real

    pairs = []
    for msgid, msgstr in trans_real.translation("zh-hans")._catalog.items():
        if not isinstance(msgid, str) or not msgid or not msgstr:
            continue  # plural forms, the header
        pairs.append((msgid.rsplit("\x04", 1)[-1], msgstr))
    exact = ({}, {})
    templates = ([], [])
    for pair in pairs:
        for side in (0, 1):
            template = pair[side]
            if not _PLACEHOLDER.search(template):
                exact[side].setdefault(template, pair[1 - side])
                continue
            compiled = _template_pattern(template)
            if compiled is not None:
                templates[side].append((*compiled, pair))
    for side in (0, 1):
        templates[side].sort(key=lambda t: -t[0].literal)
    return exact, templates


class _Pattern:
    def __init__(self, regex: str, literal: int):
        self.regex, self.literal = re.compile(regex, re.DOTALL), literal

    def fullmatch(self, text: str):
        return self.regex.fullmatch(text)


def _template_pattern(template: str):
    parts, names, literal, at = [], [], 0, 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at : match.start()]))
        literal += match.start() - at
        name = match.group(1) or match.group(2) or f"p{len(names)}"
        if name in names:
            parts.append(f"(?P=g{names.index(name)})")
        else:
            parts.append(f"(?P<g{len(names)}>.+?)")
            names.append(name)
        at = match.end()
    parts.append(re.escape(template[at:]))
    literal += len(template) - at
    if literal < 6:  # too little text to tell one message from another
        return None
    return _Pattern("".join(parts), literal), names


def error_body(status_code: int, detail: str = "", errors=(), code: str | None = None) -> dict:
    default_code, message = MESSAGES.get(
        status_code, ("error", _("The request could not be served."))
    )
    return {
        "code": code or default_code,
        "message": both_languages(message),
        "detail": force_str(detail) or force_str(message),
        "errors": list(errors),
    }
