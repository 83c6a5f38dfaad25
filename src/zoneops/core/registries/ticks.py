"""Jobs that ``zoneops tick`` runs after core's own, registered by the apps (core imports none).

A job is a function taking no argument and returning a line for the command's output. One job
that fails is reported and the others still run; the command then exits non-zero.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TickJob:
    name: str
    run: Callable[[], str]
    order: int = 100


_registry: dict[str, TickJob] = {}


def register(name: str, run: Callable[[], str], *, order: int = 100) -> None:
    _registry[name] = TickJob(name, run, order)


def registered() -> list[TickJob]:
    return sorted(_registry.values(), key=lambda job: (job.order, job.name))
