"""What another system's developer does with the client openapi-python-client generated from
/api/schema/ (run by tests/clients/test_generated_clients.py with the generated package on the
path, against a live server): log in with a token, list with filters and pages, create an
appeal and move it through its loop, post a bulk of monthly figures with one bad row and read
the row's error. Prints one JSON line of what it saw; any surprise is an AssertionError."""

import json
import os

from zoneops_api_client import AuthenticatedClient
from zoneops_api_client.api.appeals import (
    appeals_create,
    appeals_list,
    appeals_rate_create,
    appeals_transition_create,
)
from zoneops_api_client.api.departments import departments_list
from zoneops_api_client.api.monthly_figures import monthly_figures_bulk_create
from zoneops_api_client.models import (
    ApiError,
    AppealCategoryEnum,
    AppealChannelEnum,
    AppealCreateRequest,
    MonthlyFigureBulkItemRequest,
    PaginatedDepartmentList,
    RatingRequest,
    TransitionRequest,
)

env = os.environ
base = env["ZONEOPS_URL"]
staff = AuthenticatedClient(base_url=base, token=env["ZONEOPS_TOKEN"], prefix="Token")
handler = AuthenticatedClient(base_url=base, token=env["ZONEOPS_HANDLER_TOKEN"], prefix="Token")
seen = {}

# a list with a filter, page by page
first = departments_list.sync(client=staff, zone=env["ZONEOPS_ZONE"], ordering="name")
assert isinstance(first, PaginatedDepartmentList), first
second = departments_list.sync(client=staff, zone=env["ZONEOPS_ZONE"], page=2)
assert isinstance(second, PaginatedDepartmentList), second
seen["departments"] = [first.count, len(first.results), len(second.results), first.next_ is None]
past = departments_list.sync_detailed(client=staff, page=99)
assert past.status_code == 404 and isinstance(past.parsed, ApiError), past
seen["past_the_end"] = past.parsed.code

# an appeal through its loop
appeal = appeals_create.sync(
    client=staff,
    body=AppealCreateRequest(
        uscc=env["ZONEOPS_USCC"],
        contact_name="张经理",
        contact_phone="13904310000",
        channel=AppealChannelEnum.HOTLINE,
        category=AppealCategoryEnum.FINANCING,
        title="流动资金贷款对接",
        description="需要500万元流动资金贷款。",
    ),
)
assert appeal is not None and not isinstance(appeal, ApiError), appeal
states = [appeal.state]
assert appeal.department is None and appeal.handler is None  # nullable, as served


def move(client, name, **extra):
    moved = appeals_transition_create.sync(
        id=appeal.id, client=client, body=TransitionRequest(transition=name, **extra)
    )
    assert not isinstance(moved, ApiError), (name, moved)
    states.append(moved.state)
    return moved


move(staff, "accept")
refused = appeals_transition_create.sync(
    id=appeal.id, client=staff, body=TransitionRequest(transition="confirm")
)
assert isinstance(refused, ApiError) and refused.code == "invalid", refused
seen["refused_transition"] = refused.message.en
move(
    staff,
    "assign",
    department=env["ZONEOPS_DEPARTMENT"],
    handler=int(env["ZONEOPS_HANDLER_ID"]),
)
assigned = move(handler, "start")
assert assigned.department == env["ZONEOPS_DEPARTMENT"] and assigned.department_id, assigned
move(handler, "reply", comment="已对接银行")
rated = appeals_rate_create.sync(id=appeal.id, client=staff, body=RatingRequest(score=5))
assert not isinstance(rated, ApiError), rated
states.append(rated.state)
seen["states"] = states
mine = appeals_list.sync(client=staff, is_open=False, search="流动资金")
seen["closed_listed"] = [row.id for row in mine.results] == [appeal.id]

# a bulk of monthly figures with one bad row: nothing written, the row's error named
rows = [
    MonthlyFigureBulkItemRequest(
        uscc=env["ZONEOPS_USCC"], year=2025, month=month, main_revenue="100.00"
    )
    for month in (1, 2, 13)
]
answer = monthly_figures_bulk_create.sync_detailed(client=staff, body=rows)
assert answer.status_code == 400 and isinstance(answer.parsed, ApiError), answer
seen["bulk_errors"] = [[e.row, e.field, e.value] for e in answer.parsed.errors]
seen["bulk_messages"] = [sorted(e.message.to_dict()) for e in answer.parsed.errors]
print(json.dumps(seen, ensure_ascii=False))
