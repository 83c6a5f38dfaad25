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
