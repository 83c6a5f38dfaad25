"""Writes with rules for key projects: plans and baselines, monthly figures, blockers, notes."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.files import photos as core_photos
from zoneops.core.files.imports import ImportResult, RowError, bulk_items_error
from zoneops.core.loop import services as core_services
from zoneops.core.registries import rollups
from zoneops.core.registries import writes as core_writes
from zoneops.projects.completed import refresh_completed
from zoneops.projects.imports import MONTHLY_COLUMNS, MonthlyImporter
from zoneops.projects.models import (
    AnnualPlan,
    Blocker,
    Milestone,
    MonthlyInvestment,
    ProgressNote,
    ProgressPhoto,
    Project,
)
from zoneops.projects.workflow import KIND as BLOCKER_KIND


def _require(user, action: str, project: Project) -> None:
    if user is None:
        return
    if not Project.objects.restrict(user, action).filter(pk=project.pk).exists():
        raise PermissionDenied(_("You may not change this project."))


# Plans and baselines ---------------------------------------------------------------------------


@transaction.atomic
@rollups.batched  # a zone's lights recomputed once, not once per row written
def save_project(project: Project, *, acting_user, fields=None) -> Project:
    """Add or change a project (page, API, import): the plan year's planned investment is
    recorded as that year's annual plan, and the year's completed investment read again (the
    plan year may have changed)."""
    if not project._state.adding:
        _require(acting_user, CHANGE, project)
    core_writes.save_object(project, acting_user=acting_user, fields=fields)
    set_annual_plan(project, project.plan_year, project.annual_plan, acting_user=acting_user)
    refresh_completed([project.pk])
    return project


@transaction.atomic
@rollups.batched  # a zone's lights recomputed once, not once per row written
def set_annual_plan(project: Project, year: int, planned: Decimal, *, acting_user) -> AnnualPlan:
    """Record the planned investment of ``year``; the plan year's figure is kept on the project."""
    _require(acting_user, CHANGE, project)
    if planned is None or planned < 0:
        raise ValidationError(_("The planned investment cannot be negative."))
    plan, created = AnnualPlan.objects.get_or_create(
        project=project, year=year, defaults={"planned": planned}
    )
    if not created and plan.planned != planned:
        plan.planned = planned
        plan.save(update_fields=["planned", "updated_at"])
    if project.plan_year == year and project.annual_plan != planned:
        project.annual_plan = planned
        project.save(update_fields=["annual_plan", "updated_at"])
    elif year > project.plan_year:
        # A new year's plan: the project is judged against it from now on.
        project.plan_year, project.annual_plan = year, planned
        project.save(update_fields=["plan_year", "annual_plan", "updated_at"])
        refresh_completed([project.pk])
    return plan


@transaction.atomic
def set_baseline(project: Project, *, acting_user) -> int:
    """Keep the current plan (milestone dates and the plan year's investment) as the baseline."""
    _require(acting_user, CHANGE, project)
    count = 0
    for milestone in project.milestones.all():
        if milestone.baseline_date != milestone.planned_date:
            milestone.baseline_date = milestone.planned_date
            milestone.save(update_fields=["baseline_date", "updated_at"])
            count += 1
    plan, _created = AnnualPlan.objects.get_or_create(
        project=project, year=project.plan_year, defaults={"planned": project.annual_plan}
    )
    if plan.baseline != plan.planned:
        plan.baseline = plan.planned
        plan.save(update_fields=["baseline", "updated_at"])
        count += 1
    project.baselined_at = timezone.now()
    project.save(update_fields=["baselined_at", "updated_at"])
    return count


@dataclass
class PlanChange:
    what: str
    baseline: object
    current: object
    moved: object  # days (int) or 万元 (Decimal); None for a new item
    unit: str


def replan_comparison(project: Project) -> list[PlanChange]:
    """What the re-plan moved against the baseline: milestones in days, plans in 万元."""
    changes = []
    if project.baselined_at is None:
        return changes
    for milestone in project.milestones.all():
        if milestone.baseline_date is None:
            changes.append(
                PlanChange(milestone.name, None, milestone.planned_date, None, _("days"))
            )
        elif milestone.days_moved:
            changes.append(
                PlanChange(
                    milestone.name,
                    milestone.baseline_date,
                    milestone.planned_date,
                    milestone.days_moved,
                    _("days"),
                )
            )
    for plan in project.annual_plans.all():
        if plan.baseline is not None and plan.moved:
            changes.append(
                PlanChange(
                    _("Planned investment {year}").format(year=plan.year),
                    plan.baseline,
                    plan.planned,
                    plan.moved,
                    _("10k yuan"),
                )
            )
    return changes


# Monthly figures -------------------------------------------------------------------------------


@transaction.atomic
def record_monthly(
    project: Project, year: int, month: int, completed_ytd: Decimal, *, acting_user
) -> MonthlyInvestment:
    _require(acting_user, CHANGE, project)
    if not 1 <= month <= 12:
        raise ValidationError(_("The month must be between 1 and 12."))
    if completed_ytd < 0:
        raise ValidationError(_("The completed investment cannot be negative."))
    earlier = (
        MonthlyInvestment.objects.filter(project=project, year=year, month__lt=month)
        .order_by("-month")
        .first()
    )
    if earlier and earlier.completed_ytd > completed_ytd:
        raise ValidationError(
            _("A year-to-date figure cannot be lower than month {month}'s ({value}).").format(
                month=earlier.month, value=earlier.completed_ytd
            )
        )
    row, created = MonthlyInvestment.objects.get_or_create(
        project=project, year=year, month=month, defaults={"completed_ytd": completed_ytd}
    )
    if not created and row.completed_ytd != completed_ytd:
        row.completed_ytd = completed_ytd
        row.save(update_fields=["completed_ytd", "updated_at"])
    refresh_completed([project.pk])
    return row


# Blockers -------------------------------------------------------------------------------------


@transaction.atomic
@rollups.batched  # a zone's lights recomputed once, not once per row written
def raise_blocker(
    project: Project,
    *,
    kind: str,
    description: str,
    acting_user,
    limit_working_days: int | None = None,
    opened_on: dt.date | None = None,
    source: str = "",
) -> Blocker:
    """Register a blocker and open its closed-loop case (deadline in working days)."""
    _require(acting_user, CHANGE, project)
    if acting_user is not None and not role_may(acting_user, ADD, Blocker):
        raise PermissionDenied(_("Your role may not register blockers."))
    if kind not in Blocker.Kind.values:
        raise ValidationError(_("Unknown kind of blocker."))
    if not (description or "").strip():
        raise ValidationError(_("Describe the blocker."))
    case = core_services.open_case(
        kind=BLOCKER_KIND,
        zone=project.zone,
        title=f"{project.name} · {Blocker.Kind(kind).label}"[:200],
        acting_user=acting_user,
        opened_on=opened_on,
        limit_working_days=limit_working_days,
    )
    return Blocker.objects.create(
        project=project, case=case, kind=kind, description=description.strip(), source=source
    )


@transaction.atomic
def update_blocker(blocker: Blocker, *, acting_user, fields=None) -> Blocker:
    """Change a blocker's particulars (page, API). It stays with the project it was raised
    for; its loop case keeps its title."""
    stored = Blocker.objects.filter(pk=blocker.pk).values_list("project_id", flat=True).first()
    if stored is not None:
        blocker.project_id = stored
    _require(acting_user, CHANGE, blocker.project)
    core_writes.save_object(blocker, acting_user=acting_user, fields=fields)
    core_services.keep_case_title(
        blocker.case, f"{blocker.project.name} · {Blocker.Kind(blocker.kind).label}"
    )
    return blocker


def blocker_transition(blocker: Blocker, name: str, *, acting_user, **kwargs):
    """Carry a blocker's case through one transition of the blocker workflow."""
    return core_services.do_transition(blocker.case, name, acting_user=acting_user, **kwargs)


# Progress notes and photos -----------------------------------------------------------------------


def photo_max_bytes() -> int:
    return int(getattr(settings, "ZONEOPS_PROJECT_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def check_photo(upload, *, keep_location: bool = False) -> core_photos.CheckedPhoto:
    """The photo checked by its content (Pillow, not its name) and, unless ``keep_location``,
    without its EXIF GPS block; raise ValidationError if it is not a photo or too large."""
    return core_photos.check_photo(upload, keep_location=keep_location, max_bytes=photo_max_bytes())


@transaction.atomic
def add_progress_note(
    project: Project,
    *,
    text: str,
    acting_user,
    date: dt.date | None = None,
    photos=(),
    keep_location: bool = False,
) -> ProgressNote:
    _require(acting_user, CHANGE, project)
    if not (text or "").strip():
        raise ValidationError(_("Write what progressed."))
    checked = [
        photo
        if isinstance(photo, core_photos.CheckedPhoto)
        else check_photo(photo, keep_location=keep_location)
        for photo in photos
    ]
    note = ProgressNote.objects.create(
        project=project,
        date=date or timezone.localdate(),
        text=text.strip(),
        author=acting_user,
    )
    for photo in checked:
        add_photo(note, photo)
    return note


def add_photo(note: ProgressNote, upload, *, keep_location: bool = False) -> ProgressPhoto:
    """Store a site photo of a progress note (``upload`` may be checked already)."""
    if not isinstance(upload, core_photos.CheckedPhoto):
        upload = check_photo(upload, keep_location=keep_location)
    photo = ProgressPhoto(note=note, content_type=upload.content_type, size=len(upload.content))
    photo.image.save(upload.name[-80:], ContentFile(upload.content), save=False)
    photo.save()
    return photo


# Milestones -----------------------------------------------------------------------------------


@transaction.atomic
def complete_milestone(milestone: Milestone, *, on: dt.date, acting_user) -> Milestone:
    _require(acting_user, CHANGE, milestone.project)
    if on > timezone.localdate():
        raise ValidationError(_("An actual date cannot be in the future."))
    milestone.actual_date = on
    milestone.save(update_fields=["actual_date", "updated_at"])
    return milestone


# Bulk upsert from other systems (API) ------------------------------------------------------------


INVESTMENTS_BULK_WORK = "projects.investments_bulk"  # a large bulk call, as a job (后台作业)


@transaction.atomic
def upsert_monthly_investments(items, *, acting_user, source: str = "api"):
    """Create or update 本年累计 completed investment keyed by (project code, year, month).

    All or nothing, through the monthly Excel import's own checks (projects the user may
    change, year and month, amounts, a year-to-date figure never falling from one month to a
    later one); errors name the record's index (from 0), the field and the reason. Returns a
    ``core.files.imports.ImportResult``; the audit trail gets a row per write.
    """
    if not (
        role_may(acting_user, ADD, MonthlyInvestment)
        and role_may(acting_user, CHANGE, MonthlyInvestment)
        and role_may(acting_user, CHANGE, Project)
    ):
        raise PermissionDenied(_("Your role may not record monthly investment."))
    result = ImportResult()
    refused = bulk_items_error(items)
    if refused is not None:
        result.errors.append(refused)
        return result
    names = [col.name for col in MONTHLY_COLUMNS]
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            result.errors.append(RowError(index, "", "", _("Each record is an object.")))
            continue
        unknown = sorted(set(item) - set(names))
        if unknown:
            result.errors.append(RowError(index, unknown[0], "", _("Unknown field.")))
            continue
        cells = []
        for name in names:
            value = item.get(name)
            if value is None:
                cells.append("")
            elif isinstance(value, bool | dict | list):
                cells.append("?")  # refused by the cell's parser with its own reason
            else:
                cells.append(str(value).strip())
        rows.append((index, cells))
    if result.errors:
        return result
    mapping = dict(enumerate(MONTHLY_COLUMNS))
    result = MonthlyImporter(acting_user).run_rows(source, mapping, rows)
    by_label = {str(col.label): col.name for col in MONTHLY_COLUMNS}
    for error in result.errors:
        error.field = by_label.get(error.field, error.field)
    return result
