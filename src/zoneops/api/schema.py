"""The OpenAPI schema as the API serves: every operation declares the errors it can answer
(400/401/403/404/429, and 415 where it takes a body) with the one error body of
``zoneops.api.errors``."""

from drf_spectacular.openapi import AutoSchema

from zoneops.api.errors import ApiErrorSerializer

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
                responses[code] = self._get_response_for_code(ApiErrorSerializer, code)
        return responses


def generate_yaml() -> str:
    """The schema as /api/schema/ serves it (in Chinese, the default language), as YAML: what
    docs/openapi.yaml holds (``scripts/openapi`` writes it, a test compares them)."""
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    with translation.override("zh-hans"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def drop_parameter_titles(result, generator, request, public):
    """Postprocessing hook: no ``title`` in the query parameters' schemas (the filters' Chinese
    labels, in the description already): generators would name their enum types after them."""

    def strip(schema):
        if isinstance(schema, dict):
            schema.pop("title", None)
            for value in schema.values():
                strip(value)
        elif isinstance(schema, list):
            for value in schema:
                strip(value)

    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                strip(parameter.get("schema"))
    return result


# The integer bounds DRF takes from the database backend (SQLite gives 64-bit bounds to every
# integer column, PostgreSQL the column's own): not rules of the API, and they would make the
# schema differ by database. Values out of range are still refused with a 400.
DATABASE_MAXIMA = {32767, 2147483647, 9223372036854775807}
DATABASE_MINIMA = {-32768, -2147483648, -9223372036854775808}


def drop_database_integer_limits(result, generator, request, public):
    """Postprocessing hook: the same schema on SQLite and PostgreSQL (see DATABASE_MAXIMA)."""

    def walk(node):
        if isinstance(node, dict):
            # an integer, or a reference to an integer enum beside its column's bounds
            if node.get("type") == "integer" or "allOf" in node:
                if node.get("maximum") in DATABASE_MAXIMA:
                    del node["maximum"]
                    if node.get("format") == "int64":
                        del node["format"]
                if node.get("minimum") in DATABASE_MINIMA:
                    del node["minimum"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
