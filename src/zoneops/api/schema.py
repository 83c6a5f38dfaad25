"""The OpenAPI schema as the API serves: every operation declares the errors it can answer
(400/401/403/404/429, and 415 where it takes a body) with the one error body of
``zoneops.api.errors``."""

from drf_spectacular.openapi import AutoSchema

from zoneops.api.errors import ErrorSerializer

ERROR_STATUSES = ("400", "401", "403", "404", "429")


class ZoneopsAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        statuses = list(ERROR_STATUSES)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.append("415")
        for code in statuses:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses
