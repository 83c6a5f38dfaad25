"""Who is acting, for the audit trail: set per request by middleware, or by a command.

Also a memo for one request (``memoized``): values that several parts of one request ask for
(the paths of the zones granted to the requesting user: the permission check, the list and
each filter's choices restrict by them) are read once per request instead of each time.
"""

import contextlib
import contextvars
import functools
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


def attribute_to(user) -> None:
    """Name ``user`` as the actor for the rest of the current request (same request id).

    The API authenticates tokens inside the view, after the middleware opened the context
    without a user; the middleware's reset at the end of the request undoes this too.
    """
    ctx = _current.get()
    _current.set(ChangeContext(user=user, request_id=ctx.request_id if ctx else uuid.uuid4()))


_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "zoneops_request_memo", default=None
)


@contextlib.contextmanager
def request_memo():
    """Remember ``memoized`` values until the end of the block (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoized(key, compute):
    """``compute()``, once per request; outside a request (commands, tests), every time."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop what the current request remembered (a zone grant changed during it)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def attributed_to_self_user(method):
    """Attribute what ``method`` changes to ``self.user`` when no request has named an actor
    (an import run from a command, a job or a test): the audit trail then says who it was."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        ctx = _current.get()
        user = getattr(self, "user", None)
        if user is None or (ctx is not None and ctx.user is not None):
            return method(self, *args, **kwargs)
        with acting_as(user, ctx.request_id if ctx else None):
            return method(self, *args, **kwargs)

    return wrapper
