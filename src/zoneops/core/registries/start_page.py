"""The start page (what a user sees after signing in): sections that apps contribute from their
AppConfig.ready(), as they contribute dashboard panels, so the page (in core) imports no app.

A section's ``build(user, today)`` returns its block, or None where it has nothing for that
user (a role that does not approve months has no "months awaiting approval"). It reads in a
fixed number of queries whatever the data: the page's query count must not grow with the
number of records, zones or sections' items.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class StartItem:
    text: str
    url: str
    note: str = ""  # e.g. "due 2025-06-03", a zone's name
    overdue: bool = False  # shown first and marked


@dataclass
class StartBlock:
    items: list[StartItem] = field(default_factory=list)  # the first few (``SHOWN``)
    total: int = 0  # how many there are in all
    more_url: str = ""  # the list with all of them
    empty: str | Promise = ""  # what to say when there is none


@dataclass(frozen=True)
class StartSection:
    key: str
    title: str | Promise
    build: Callable[[object, dt.date], StartBlock | None]
    order: int = 50


SHOWN = 8  # items a section shows; its link leads to the rest

_registry: dict[str, StartSection] = {}


def register(section: StartSection) -> StartSection:
    _registry[section.key] = section
    return section


def registered() -> list[StartSection]:
    return sorted(_registry.values(), key=lambda s: (s.order, s.key))


def sections_for(user, today: dt.date) -> list[dict]:
    """The user's sections, in order: each a dict with ``key``, ``title``, ``block`` and
    ``id`` (the key as an HTML id: ``start-core-open_items``)."""
    found = []
    for section in registered():
        block = section.build(user, today)
        if block is not None:
            found.append(
                {
                    "key": section.key,
                    "id": "start-" + section.key.replace(".", "-"),
                    "title": section.title,
                    "block": block,
                }
            )
    return found
