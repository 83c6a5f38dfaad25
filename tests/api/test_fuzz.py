"""Schema-driven fuzz run of the whole REST API: no request may end in a server error.

schemathesis reads the live OpenAPI schema from /api/schema/ (so every endpoint an app registers
in its api.py is covered without naming it here) and sends generated requests, valid and invalid,
to every operation with an administrator's token, against a database holding the demo data.
Checks: ``not_a_server_error`` (a 4xx is the API's right answer to bad input, a 5xx is a bug) and
the responses' conformance to the schema: every status answered is declared, with the declared
content type and a body of the declared shape (errors included: the one error body). Bounded: a
few examples per operation (the same ones on every run), no shrinking, and past a time budget
one request per remaining operation, so the run stays well under four minutes on two cores. For
a longer hunt: ``ZONEOPS_FUZZ_EXAMPLES=50 ZONEOPS_FUZZ_BUDGET=3600`` and ``ZONEOPS_FUZZ_RANDOM=1``
(new examples on each run). Every operation that answered 5xx or off the schema is listed with
a curl line to reproduce it and the project's frames of the traceback.
"""

import contextlib
import io
import os
import sys
import time
import traceback
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import zoneops

pytestmark = pytest.mark.fuzz

PROJECT = str(Path(zoneops.__file__).parent)

EXAMPLES = int(os.environ.get("ZONEOPS_FUZZ_EXAMPLES", "5"))
RANDOM = os.environ.get("ZONEOPS_FUZZ_RANDOM", "") == "1"
# Seconds of fuzzing after which each remaining operation gets a single request.
BUDGET_SECONDS = float(os.environ.get("ZONEOPS_FUZZ_BUDGET", "100"))


@pytest.fixture
def admin_token(transactional_db):
    """The demo data (so that ids in paths find records), then an administrator's API token."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from zoneops.core.models import Role, User

    call_command("seed_demo", stdout=io.StringIO())
    from django.utils import timezone

    from zoneops.core.accounts import twofactor

    # An administrator works only with a confirmed second factor (the API answers 403 before).
    admin = User.objects.create_user(
        username="fuzz-admin",
        role=Role.ADMIN,
        is_superuser=True,
        is_staff=True,
        totp_secret=twofactor.new_secret(),
        totp_confirmed_at=timezone.now(),
    )
    return Token.objects.create(user=admin).key


def operations(admin_token):
    """Every operation of the live schema, read with the administrator's token."""
    from zoneops.wsgi import application

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        application,
        headers={"Authorization": f"Token {admin_token}"},
    )
    found = []
    for result in schema.get_all_operations():
        if hasattr(result, "err"):  # an operation the schema describes wrongly is a failure too
            pytest.fail(f"/api/schema/ has an invalid operation: {result.err()}")
        found.append(result.ok())
    return found


def strategy(operation):
    """Valid and invalid requests: invalid input must be refused with a 4xx, not a 5xx."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    with contextlib.suppress(Exception):  # an operation with nothing to make invalid
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz_operation(operation, headers, examples, calls):
    """Send up to ``examples`` generated requests; raises on the first 5xx."""

    @given(case=strategy(operation))
    @settings(
        max_examples=examples,
        deadline=10_000,  # ms: one request slower than this is a defect of its own
        phases=[Phase.explicit, Phase.generate],  # no shrinking: it would unbound the time
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        calls["count"] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


def test_no_server_error(admin_token):
    from django.core.signals import got_request_exception

    tracebacks: list[str] = []

    def remember(sender, request=None, **kwargs):
        # The project's own frames and the error: where the 5xx comes from.
        error = sys.exc_info()[1]
        frames = traceback.extract_tb(error.__traceback__)
        ours = [f for f in frames if f.filename.startswith(PROJECT)] or frames[-3:]
        lines = traceback.format_list(ours) + traceback.format_exception_only(error)
        tracebacks.append("".join(lines))

    got_request_exception.connect(remember, weak=False, dispatch_uid="fuzz")
    headers = {"Authorization": f"Token {admin_token}"}
    failures, calls, reduced = [], {"count": 0}, 0
    started = time.monotonic()
    try:
        found = operations(admin_token)
        assert len(found) > 10, "the schema lists hardly any operations"
        for operation in found:
            # Past the budget every remaining operation still gets one request.
            examples = EXAMPLES if time.monotonic() - started < BUDGET_SECONDS else 1
            reduced += examples < EXAMPLES
            del tracebacks[:]
            try:
                fuzz_operation(operation, headers, examples, calls)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # schemathesis' FailureGroup is an exception group
                detail = tracebacks[-1] if tracebacks else ""
                failures.append(f"{operation.label}: {str(exc).strip()[:1500]}\n{detail}")
    finally:
        got_request_exception.disconnect(dispatch_uid="fuzz")
    elapsed = time.monotonic() - started
    print(
        f"fuzz: {len(found)} operations, {calls['count']} requests in {elapsed:.0f} s"
        + (f" ({reduced} operations past the budget got one request)" if reduced else "")
    )
    assert not failures, (
        f"{len(failures)} operations answered 5xx or off the schema:\n\n" + "\n\n".join(failures)
    )
