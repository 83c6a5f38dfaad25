from zoneops.core.context import acting_as


class ChangeContextMiddleware:
    """Ties every change saved during a request to the user and one request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user) as context:
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
