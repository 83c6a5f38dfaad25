"""Who is acting, for the audit trail: set per request by middleware, or by a command."""

import contextlib
import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeContext:
    user: object | None
    request_id: uuid.UUID


_current: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar(
    "zoneops_change_context", default=None
)


def current() -> ChangeContext | None:
    return _current.get()


@contextlib.contextmanager
def acting_as(user, request_id: uuid.UUID | None = None):
    """Attribute every change inside the block to ``user`` under one request id."""
    token = _current.set(ChangeContext(user=user, request_id=request_id or uuid.uuid4()))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
