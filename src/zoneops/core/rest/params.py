"""Numbers from the query string: a malformed, negative or out-of-range one is a 400, never a 500.

``NumberBoundsMiddleware`` refuses, before any view runs, a query value or path segment that is
an integer too large for any database column (the probe's ``?zone=99999999999999999999`` made
SQLite raise OverflowError deep in a query). Views that read a number themselves use
``int_param`` with the range that makes sense for it.
"""

import re

from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from zoneops.core.rest.errors import error_body

BIGINT_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?\d+")


def out_of_range(value: str) -> bool:
    value = value.strip()
    if not _INTEGER.fullmatch(value) or len(value.lstrip("+-")) < 19:
        return False
    return abs(int(value)) > BIGINT_MAX


def int_param(request, name: str, default=None, *, minimum: int = 0, maximum: int = BIGINT_MAX):
    """``request.GET[name]`` as an int in [minimum, maximum]; absent or empty: ``default``."""
    raw = request.GET.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(_("“{name}” must be a whole number.").format(name=name)) from None
    if not minimum <= value <= maximum:
        raise BadRequest(
            _("“{name}” must lie between {minimum} and {maximum}.").format(
                name=name, minimum=minimum, maximum=maximum
            )
        )
    return value


class NumberBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [v for values in request.GET.lists() for v in values[1]]
        values += request.path.split("/")
        if any(out_of_range(v) for v in values):
            message = _("A number in the address is out of range.")
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(400, message), status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
