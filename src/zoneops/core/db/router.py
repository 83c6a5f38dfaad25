"""Reads on a PostgreSQL streaming replica, writes and read-after-write on the primary.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and this module's
``ReplicaRouter`` decides, query by query, which of the two answers:

- every write goes to ``default`` (the primary), and so does every migration;
- a read goes to the replica only inside a *replica scope*: a request with a safe method (GET,
  HEAD, OPTIONS: the dashboards, lists, exports and the API's reads) opened by
  ``ReplicaMiddleware``, or a block of background work declared a pure read with
  ``replica_reads()``. Anything else — management commands, background jobs, tests, a request
  with POST/PUT/PATCH/DELETE — reads the primary;
- inside a scope a read still goes to the primary when it happens
    * inside an atomic block on ``default`` (it must see the transaction's own writes),
    * after the scope has written anything (pinned for the rest of the request or block),
    * within ``ZONEOPS_REPLICA_PIN_SECONDS`` after the same browser's last write: a signed
      cookie set on the answer to a request that wrote, so POST → redirect → GET shows what was
      just saved although the replica may be a few milliseconds behind.

Without a replica every read and write goes to ``default``, as before.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA_DB_ALIAS = "replica"
PIN_COOKIE = "zoneops_primary"
_PIN_SALT = "zoneops.core.db.router.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Rows whose writes do not pin: a session's "last activity" is saved about once a minute on
# plain page views, and what it changes is never shown on the next page. A model says the same
# of itself with ``replica_pins = False`` (the security events an export records).
_UNPINNING_APPS = frozenset({"sessions"})


@dataclass
class Scope:
    """Where reads may go for the request or block of work being run."""

    replica: bool  # reads may go to the replica (until a write, or in an atomic block)
    wrote: bool = False  # the scope wrote a row that pins
    why: str = ""


_scope: ContextVar[Scope | None] = ContextVar("zoneops_replica_scope", default=None)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in settings.DATABASES


def pin_seconds() -> float:
    return float(getattr(settings, "ZONEOPS_REPLICA_PIN_SECONDS", 5))


def current_scope() -> Scope | None:
    return _scope.get()


def read_alias() -> str:
    """The alias the next read of this scope goes to (``default`` or ``replica``)."""
    scope = _scope.get()
    if scope is None or not scope.replica or scope.wrote:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS if replica_configured() else DEFAULT_DB_ALIAS


def note_write(model=None) -> None:
    """Pin the current scope to the primary: it has written (or is about to)."""
    scope = _scope.get()
    if scope is None or scope.wrote:
        return
    if model is not None and (
        model._meta.app_label in _UNPINNING_APPS or not getattr(model, "replica_pins", True)
    ):
        return
    scope.wrote = True


@contextlib.contextmanager
def scope(*, replica: bool, why: str = "") -> Iterator[Scope]:
    """Run a block as one scope: ``replica=True`` lets its reads go to the replica."""
    opened = Scope(replica=replica, why=why)
    token = _scope.set(opened)
    try:
        yield opened
    finally:
        _scope.reset(token)


def replica_reads(why: str = "pure read") -> contextlib.AbstractContextManager[Scope]:
    """A block of background work that only reads (an export job's rows, a read-only command):
    its reads may go to the replica. A write inside it pins the rest of it to the primary."""
    return scope(replica=True, why=why)


def primary_only(why: str = "primary") -> contextlib.AbstractContextManager[Scope]:
    """A block whose reads must all see the primary (whatever the request around it)."""
    return scope(replica=False, why=why)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: see the module's docstring."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        note_write(model)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary: an object read from one may be
        # related to one read from the other.
        both = {obj1._state.db, obj2._state.db}
        if both <= {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS, None}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA_DB_ALIAS


# Requests -------------------------------------------------------------------------------------


def pinned_by_cookie(request: HttpRequest) -> bool:
    """The browser wrote within the last ``ZONEOPS_REPLICA_PIN_SECONDS`` (signed cookie)."""
    seconds = pin_seconds()
    if seconds <= 0 or PIN_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=seconds)
    return value is not None


def request_scope(request: HttpRequest) -> tuple[bool, str]:
    """Whether a request's reads may go to the replica, and why (or why not)."""
    if request.method not in SAFE_METHODS:
        return False, "unsafe method"
    if pinned_by_cookie(request):
        return False, "wrote moments ago"
    return True, "read"


class ReplicaMiddleware:
    """Opens a scope for each request (first in MIDDLEWARE: the session and the user are read
    in it too) and, when the request wrote, sets the pin cookie on its answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        replica, why = request_scope(request)
        with scope(replica=replica, why=why) as opened:
            response = self.get_response(request)
        if response.streaming and not getattr(response, "is_async", False):
            # A streamed export reads its rows while the server sends them, after this returns.
            response.streaming_content = _within(opened, response.streaming_content)
        wrote = opened.wrote or request.method not in SAFE_METHODS
        if wrote and replica_configured() and pin_seconds() > 0:
            response.set_signed_cookie(
                PIN_COOKIE,
                str(int(time.time())),
                salt=_PIN_SALT,
                max_age=int(pin_seconds()) or 1,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _within(opened: Scope, chunks) -> Iterator[bytes]:
    """Each chunk of a streamed answer made inside the request's scope again."""
    iterator = iter(chunks)
    while True:
        token = _scope.set(opened)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _scope.reset(token)
        yield chunk
