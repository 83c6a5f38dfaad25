"""Schemathesis as zone staff, liaison cadres and leaders, fed the ids of other zones' records
(issue #17, 9).

The administrator's run (test_fuzz.py) looks for server errors. This one looks for leaks: each
role reads the live schema with its own token and every operation gets generated requests in
which the path's ids, and the references in the body, are those of records outside the role's
zones (read as the system from the demo data, so the ids always exist; random ids would only
ever reach nothing). Any 2xx on such a request fails, as does a list that returns a record the
role may not see or a write the role may not make. Bounded: two foreign records per resource and
two generated requests per operation, the same ones on every run.
"""

import io
import re
from dataclasses import dataclass
from functools import partial

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

pytestmark = pytest.mark.fuzz

ROLES = ("staff", "liaison", "leader")
FOREIGN_RECORDS = 2
EXAMPLES = 2


@pytest.fixture
def role_tokens(transactional_db):
    """The demo, then one account per role granted one zone that has sub-zones and siblings."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from zoneops.core.models import Role, User, Zone

    call_command("seed_demo", stdout=io.StringIO())
    zone = Zone.objects.filter(depth__gte=1, children__isnull=False).order_by("path").first()
    assert Zone.objects.exclude(pk__in=zone.subtree()).exists()
    users = {}
    for role in ROLES:
        user = User.objects.create_user(username=f"st-{role}", role=getattr(Role, role.upper()))
        user.zones.set([zone])
        users[role] = (user, Token.objects.create(user=user).key)
    return users


def resources():
    """(path pattern, model, viewset) per registered resource, the longest prefix first."""
    from zoneops.api.urls import router

    found = []
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "base_queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            found.append((f"/api/{prefix}/", queryset.model, viewset))
    return sorted(found, key=lambda item: -len(item[0]))


def resource_of(path: str, known):
    for prefix, model, viewset in known:
        if path.startswith(prefix):
            return model, viewset
    return None, None


def foreign(model, user):
    """Records of ``model`` the user may not see, oldest first."""
    visible = model.objects.restrict(user, "view").values("pk")
    return list(model.objects.exclude(pk__in=visible).order_by("pk")[:FOREIGN_RECORDS])


def body_references(model, viewset, user) -> dict:
    """For each zone-scoped reference the resource's serializer writes, another zone's value,
    in the form the serializer reads (a code for slug fields, else the id)."""
    from rest_framework import serializers

    try:
        fields = viewset.serializer_class().fields
    except Exception:  # a serializer that needs its context to build: nothing to substitute
        return {}
    values = {}
    for field in model._meta.concrete_fields:
        related = field.related_model
        serializer_field = fields.get(field.name)
        if related is None or serializer_field is None or serializer_field.read_only:
            continue
        if not hasattr(related.objects, "restrict"):
            continue
        outside = foreign(related, user)
        if not outside:
            continue
        if isinstance(serializer_field, serializers.SlugRelatedField):
            values[field.name] = getattr(outside[0], serializer_field.slug_field)
        else:
            values[field.name] = outside[0].pk
    return values


def run_operation(operation, send, examples):
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def each(case):
        send(case)

    each()


@dataclass
class Probe:
    """One role's requests on one operation, with another zone's record or references."""

    role: str
    user: object
    headers: dict
    operation: object
    model: type
    references: dict
    failures: list
    counts: dict

    def send(self, case, target=None) -> None:
        from zoneops.core.access.permissions import role_may

        method = self.operation.method.upper()
        if target is not None:
            name = re.findall(r"{(\w+)}", self.operation.path)[0]
            case.path_parameters = {**(case.path_parameters or {}), name: target.pk}
        substituted = bool(self.references) and isinstance(case.body, dict)
        if substituted:
            case.body = {**case.body, **self.references}
        response = case.call(headers=self.headers)
        self.counts["requests"] += 1
        self.counts["foreign"] += target is not None or substituted
        if not 200 <= response.status_code < 300:
            return
        label = f"{self.role} {method} {case.formatted_path}: {response.status_code}"
        if target is not None:
            self.failures.append(f"{label} on another zone's record")
        elif substituted:
            self.failures.append(f"{label} with {self.references}")
        elif method == "GET":
            if rows := leaked_rows(response, self.model, self.user):
                self.failures.append(f"{label} lists records it may not see: {rows}")
        else:
            action = {"POST": "add", "DELETE": "delete"}.get(method, "change")
            # bulk/ and mine/ act on the caller's own rows, checked row by row in their services
            collection_action = self.operation.path.endswith(("/bulk/", "/mine/"))
            if not role_may(self.user, action, self.model) and not collection_action:
                self.failures.append(f"{label}, the role may not {action}")


def test_no_role_gets_a_2xx_on_another_zone(role_tokens):
    from zoneops.wsgi import application

    known = resources()
    failures, counts = [], {"requests": 0, "foreign": 0}
    for role, (user, token) in role_tokens.items():
        headers = {"Authorization": f"Token {token}"}
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", application, headers=headers
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 10
        for operation in operations:
            model, viewset = resource_of(operation.path, known)
            if model is None:
                continue
            writes = operation.method.upper() in {"POST", "PUT", "PATCH"}
            references = body_references(model, viewset, user) if writes else {}
            probe = Probe(role, user, headers, operation, model, references, failures, counts)
            if "{" in operation.path:
                for target in foreign(model, user):
                    run_operation(operation, partial(probe.send, target=target), EXAMPLES)
            else:
                run_operation(operation, probe.send, EXAMPLES)
    print(f"schemathesis by role: {counts['requests']} requests, {counts['foreign']} foreign")
    assert counts["foreign"] > 100
    assert failures == [], "\n".join(failures[:50])


def leaked_rows(response, model, user) -> list:
    """Ids in a list answer that the user may not see."""
    try:
        data = response.json()
    except ValueError:
        return []
    rows = data.get("results") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        return []
    ids = {
        row.get("id") for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)
    }
    if not ids:
        return []
    visible = set(
        model.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )
    return sorted(ids - visible)
