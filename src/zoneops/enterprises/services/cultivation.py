"""The cultivation pool (重点企业培育库) with its progress notes, and idle-enterprise revival
(双停企业清零)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Count,
)
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.models import User, Zone
from zoneops.enterprises.models import (
    TIER_RANK,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    RevivalGoal,
    SupportMeasure,
)
from zoneops.enterprises.services import common
from zoneops.enterprises.services.common import _require, _require_enterprise
from zoneops.enterprises.services.tiers import tier_of


@transaction.atomic
def add_to_pool(
    enterprise: Enterprise,
    *,
    acting_user: User,
    target: str,
    target_year: int,
    measures: list[dict] | None = None,
    progress: str = "",
) -> CultivationEntry:
    """Put an enterprise in the cultivation pool with its support plan (一企一策)."""
    if acting_user is not None and not role_may(acting_user, ADD, CultivationEntry):
        raise PermissionDenied(_("Your role may not add to the cultivation pool."))
    _require_enterprise(acting_user, enterprise)
    if target == CultivationEntry.Target.SCALE_UP and enterprise.above_scale:
        raise ValidationError(
            _("{enterprise} is already above scale.").format(enterprise=enterprise)
        )
    if target in TIER_RANK and tier_of(enterprise) == target:
        raise ValidationError(
            _("{enterprise} already holds this tier.").format(enterprise=enterprise)
        )
    if CultivationEntry.objects.filter(
        enterprise=enterprise, target=target, target_year=target_year
    ).exists():
        raise ValidationError(_("This enterprise is already in the pool with this target."))
    entry = CultivationEntry.objects.create(
        enterprise=enterprise, target=target, target_year=target_year, progress=progress
    )
    for measure in measures or []:
        SupportMeasure.objects.create(entry=entry, **measure)
    return entry


@transaction.atomic
def add_progress_note(entry: CultivationEntry, text: str, *, acting_user: User) -> None:
    """Append a dated, signed line to the entry's progress notes."""
    _require(acting_user, CHANGE, entry)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the note first."))
    who = str(acting_user) if acting_user else _("system")
    line = f"{common.today():%Y-%m-%d} {who}: {text}"
    entry.progress = f"{entry.progress}\n{line}".strip()
    entry.save(update_fields=["progress", "updated_at"])


REVIVAL_MOVES = {
    IdleRevival.Status.IDLE: {IdleRevival.Status.REVIVING, IdleRevival.Status.EXITED},
    IdleRevival.Status.REVIVING: {
        IdleRevival.Status.REVIVED,
        IdleRevival.Status.EXITED,
        IdleRevival.Status.IDLE,
    },
    IdleRevival.Status.REVIVED: set(),
    IdleRevival.Status.EXITED: set(),
}


@transaction.atomic
def set_revival_status(
    revival: IdleRevival, status: str, *, acting_user: User, on: dt.date | None = None
) -> IdleRevival:
    """idle → reviving → revived / exited. A revived enterprise is operating again; one
    that exits is deregistered."""
    _require(acting_user, CHANGE, revival)
    revival = IdleRevival.objects.select_for_update().get(pk=revival.pk)
    if status not in REVIVAL_MOVES.get(revival.status, set()):
        raise ValidationError(
            _("An idle enterprise cannot go from “{old}” to “{new}”.").format(
                old=revival.get_status_display(),
                new=IdleRevival.Status(status).label if status in IdleRevival.Status else status,
            )
        )
    revival.status = status
    fields = ["status", "updated_at"]
    if status in (IdleRevival.Status.REVIVED, IdleRevival.Status.EXITED):
        revival.resolved_on = on or common.today()
        fields.append("resolved_on")
        enterprise = revival.enterprise
        enterprise.status = (
            Enterprise.Status.OPERATING
            if status == IdleRevival.Status.REVIVED
            else Enterprise.Status.DEREGISTERED
        )
        enterprise.save(update_fields=["status", "updated_at"])
    revival.save(update_fields=fields)
    return revival


@dataclass
class RevivalProgress:
    zone: Zone
    year: int
    target: int | None
    revived: int
    exited: int
    open: int

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.revived, 0)


def revival_progress(zone: Zone, year: int) -> RevivalProgress:
    """A zone's revival goal for a year against revivals in its subtree (清零 when 0 open)."""
    goal = RevivalGoal.objects.filter(zone=zone, year=year).first()
    counts = dict(
        IdleRevival.objects.filter(enterprise__zone__path__startswith=zone.path, year=year)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return RevivalProgress(
        zone=zone,
        year=year,
        target=goal.target if goal else None,
        revived=counts.get(IdleRevival.Status.REVIVED, 0),
        exited=counts.get(IdleRevival.Status.EXITED, 0),
        open=counts.get(IdleRevival.Status.IDLE, 0) + counts.get(IdleRevival.Status.REVIVING, 0),
    )
