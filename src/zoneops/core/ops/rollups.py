"""Rebuilding the roll-ups (汇总表) on request: ``zoneops rollups --rebuild`` and, as a
background job with progress, the administrator's button on the dashboard
(``zoneops rollups --rebuild --background``)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.core.accounts.models import Role, User
from zoneops.core.registries import background, rollups
from zoneops.core.zones.models import Zone

REBUILD_WORK = "core.rollups_rebuild"


def check_may_rebuild(user: User | None) -> None:
    if user is not None and not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied(_("Only the system administrator rebuilds the roll-ups."))


def rebuild(*, zone: Zone | None = None, acting_user: User | None) -> int:
    """Recompute every roll-up of ``zone`` and its sub-zones (every zone: None) from the base
    tables in one transaction; answers the number of roll-up rows kept."""
    check_may_rebuild(acting_user)
    zone_ids = None if zone is None else list(zone.subtree().values_list("pk", flat=True))
    with transaction.atomic():
        return rollups.rebuild(
            zone_ids=zone_ids,
            progress=lambda done, total: background.report(done, total, background.WORKING),
        )


def start_rebuild(*, zone: Zone | None = None, acting_user: User):
    """Queue ``rebuild`` as a job: ``(job, created)``; None without a job system (the caller
    rebuilds in the request)."""
    check_may_rebuild(acting_user)
    title = (
        _("Rebuild the roll-ups of {zone}").format(zone=zone.name)
        if zone is not None
        else _("Rebuild the roll-ups of every zone")
    )
    return background.start_work(
        REBUILD_WORK,
        params={"zone": zone.pk if zone is not None else None},
        title=title,
        acting_user=acting_user,
        return_url=reverse("reports:dashboard"),
    )


def rebuild_work(params: dict, *, acting_user: User, content: bytes = b"") -> background.WorkResult:
    """The job's body: one step of progress per roll-up; a cancel writes nothing."""
    zone = Zone.objects.get(pk=params["zone"]) if params.get("zone") else None
    rows = rebuild(zone=zone, acting_user=acting_user)
    return background.WorkResult(
        updated=rows,
        message=_("The roll-ups are rebuilt: {rows} rows.").format(rows=rows),
        url=reverse("reports:dashboard"),
    )
