"""The one error body of the REST API (see zoneops.api.errors), built here so that the
middleware in core answers /api/ requests in the same shape as the API's exception handler."""

from django.utils import translation
from django.utils.encoding import force_str
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
