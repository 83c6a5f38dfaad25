"""Computed indicator values: a small registry of functions keyed by origin (and indicator code).

An indicator whose ``origin`` is not "entered" gets its values from another app: the sum of
above-scale industrial enterprises' monthly output, projects' completed investment, leads'
funds in place, a count of certified enterprises. Each app's data lives in its own models, so
the concrete functions are registered here against those models once they exist::

    @register("enterprise_figures", "industrial_output_above_scale")
    def industrial_output(indicator, zone, year, month) -> Decimal | None: ...

``compute()`` picks the function registered for (origin, code), else for (origin, None).
A function returns the zone's value for that month (ytd for a cumulative indicator, covering
the zone and its sub-zones) or None when it has no data, in which case nothing is written.
"""

import logging
from collections.abc import Callable
from decimal import Decimal

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

Computation = Callable[..., Decimal | None]

_registry: dict[tuple[str, str | None], Computation] = {}


def register(origin: str, code: str | None = None):
    """Decorator: register ``function(indicator, zone, year, month)`` for an origin (and code)."""

    def decorate(function: Computation) -> Computation:
        _registry[(origin, code)] = function
        return function

    return decorate


def unregister(origin: str, code: str | None = None) -> None:
    _registry.pop((origin, code), None)


def registered() -> dict[tuple[str, str | None], Computation]:
    return dict(_registry)


def computation_for(indicator) -> Computation | None:
    return _registry.get((indicator.origin, indicator.code)) or _registry.get(
        (indicator.origin, None)
    )


def compute(indicator, zone, year: int, month: int) -> Decimal | None:
    """The computed value, or None when there is no computation or its data is unavailable."""
    function = computation_for(indicator)
    if function is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a missing table must not spoil the caller's
            return function(indicator, zone, year, month)
    except DatabaseError:
        logger.warning("Cannot compute %s for %s: its source data is unavailable.", indicator, zone)
        return None
