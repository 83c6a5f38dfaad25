from zoneops.core.access.context import acting_as, request_memo


class ChangeContextMiddleware:
    """Ties every change saved during a request to the user and one request id, and keeps
    the request's memo (``context.memoized``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user) as context, request_memo():
            request.id = context.request_id
            return self.get_response(request)


class ChineseFirstMiddleware:
    """Chinese unless the user chose otherwise: the browser's Accept-Language is not asked.

    Staff often use browsers set up in English; the language switch (a cookie) still works.
    Goes before Django's LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


PHONE_FORM_HEADER = "X-Zoneops-Phone-Form"
PHONE_LOCATION_HEADER = "X-Zoneops-Location"


class PhoneFormRedirectMiddleware:
    """A phone form sent by ``zoneops/phone.js`` (``fetch`` with ``X-Zoneops-Phone-Form``) gets
    its redirect as a 204 with ``X-Zoneops-Location``: the script then opens that page itself.

    Letting ``fetch`` follow the redirect would load the result page in the background and use
    up its messages ("Saved", "Already received") before the user sees them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.headers.get(PHONE_FORM_HEADER)
            and response.status_code in (301, 302, 303)
            and response.has_header("Location")
        ):
            from django.http import HttpResponse

            answer = HttpResponse(status=204)
            answer[PHONE_LOCATION_HEADER] = response["Location"]
            for name, value in response.cookies.items():
                answer.cookies[name] = value
            return answer
        return response
