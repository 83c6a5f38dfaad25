"""One shape for every error body of the REST API, and its description in the schema.

Every 4xx the API answers (and the 5xx it cannot avoid) has this body::

    {
      "code": "invalid",                       # a stable code a program can branch on
      "message": {"zh": "输入有误。", "en": "Invalid input."},  # the kind of error, both languages
      "detail": "…",                           # the particular error, in the request's language
      "errors": [                              # the fields refused (400), else empty
        {"field": "uscc", "row": null, "code": "invalid",
         "message": {"zh": "…", "en": "…"}, "value": null}
      ]
    }

``row`` is the position (from 0) of the record in a bulk request's list, ``null`` elsewhere;
``field`` is ``""`` for an error of the whole record or request; nested fields are joined with
dots (``measures.0.due_on``).
"""

from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zoneops.core.rest.errors import NON_FIELD_KEYS, error_body, message_in_both_languages


def field_errors(detail, prefix: str = "", row: int | None = None) -> list[dict]:
    """The leaves of a ValidationError's detail as a flat list of field errors."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            name = "" if key in NON_FIELD_KEYS and not prefix else key
            path = f"{prefix}.{name}" if prefix and name else prefix or name
            out += field_errors(value, path, row)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                out.append(_leaf(item, prefix, row))
        else:  # a list of records (many=True): the position is the row when at the top
            for index, item in enumerate(detail):
                if not item:
                    continue
                if not prefix and row is None:
                    out += field_errors(item, "", index)
                else:
                    out += field_errors(item, f"{prefix}.{index}" if prefix else str(index), row)
    else:
        out.append(_leaf(detail, prefix, row))
    return out


def _leaf(item, field: str, row: int | None) -> dict:
    return {
        "field": field,
        "row": row,
        "code": getattr(item, "code", None) or "invalid",
        "message": message_in_both_languages(item),
        "value": None,
    }


def _in_request_language(message: dict) -> str:
    chinese = (translation.get_language() or "").lower().startswith("zh")
    return message["zh" if chinese else "en"]


def exception_handler(exc, context):
    """DRF's handler (statuses, headers), then the body in the one shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        first = _in_request_language(errors[0]["message"]) if len(errors) == 1 else ""
        response.data = error_body(response.status_code, first, errors)
    else:
        detail = getattr(exc, "detail", "")
        if isinstance(detail, (list, dict)):
            errors = field_errors(detail)
            response.data = error_body(response.status_code, "", errors)
        else:
            code = getattr(detail, "code", None)
            response.data = error_body(response.status_code, detail, code=code)
    return response


def bulk_error_response(errors) -> Response:
    """400 for a bulk request: every refused record, with its row, field, value and reason."""
    rows = [
        {
            "field": e.field,
            "row": e.row,
            "code": "invalid",
            "message": message_in_both_languages(e.reason),
            "value": None if e.value is None else force_str(e.value),
        }
        for e in errors
    ]
    body = error_body(
        status.HTTP_400_BAD_REQUEST,
        _("Nothing was written: %(count)d records were refused.") % {"count": len(rows)},
        rows,
    )
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# The schema ---------------------------------------------------------------------------------


class ApiErrorMessageSerializer(serializers.Serializer):
    zh = serializers.CharField(help_text="简体中文")
    en = serializers.CharField(help_text="English")


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_blank=True,
        help_text='The field refused ("" for the whole record); nested fields joined with dots.',
    )
    row = serializers.IntegerField(
        allow_null=True, help_text="Bulk requests: the record's position in the list, from 0."
    )
    code = serializers.CharField()
    message = ApiErrorMessageSerializer(
        help_text="The reason, in Chinese and English whatever the request's language (a value "
        "quoted in it is as sent)."
    )
    value = serializers.CharField(
        allow_null=True, help_text="Bulk requests: the value refused, as sent."
    )


class ApiErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid, not_authenticated, authentication_failed, permission_denied, "
        "not_found, method_not_allowed, unsupported_media_type, throttled, …"
    )
    message = ApiErrorMessageSerializer(help_text="The kind of error, in Chinese and English.")
    detail = serializers.CharField(help_text="The particular error, in the request's language.")
    errors = FieldErrorSerializer(many=True)
