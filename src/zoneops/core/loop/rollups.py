"""The closed loop's roll-up (kind "loop"): cases per zone and kind, the open ones per due
date, pause day and kept escalation level (``LoopCaseRollup``). Registered from core's
``AppConfig.ready()``; the overdue counts read it with ``workflows.overdue_q(prefix="")``."""

from django.db.models import Case, Count, F, Value, When

from zoneops.core.loop.models import LoopCase, LoopCaseRollup
from zoneops.core.registries import rollups

KIND = "loop"


def loop_rows(zone_ids: list[int] | None, where: dict):
    """The roll-up rows of ``zone_ids``, of one kind if ``where`` names it."""
    qs = LoopCase._base_manager.filter(**where)
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    return qs.values("zone_id", "kind", "is_open").annotate(
        rollup_due_date=Case(When(is_open=True, then=F("due_date"))),
        rollup_paused_on=Case(When(is_open=True, then=F("paused_on"))),
        rollup_escalation=Case(When(is_open=True, then=F("escalation")), default=Value(0)),
        n=Count("id"),
    )


def register() -> None:
    rollups.register(
        KIND,
        model=LoopCaseRollup,
        select=loop_rows,
        sources={LoopCase: lambda case: [(case.zone_id, {"kind": case.kind})]},
    )
