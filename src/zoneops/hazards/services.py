"""Writes with rules for hazards: reporting, the loop with evidence and four eyes, photos,
inspection rounds."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.calendar import workdays as calendar
from zoneops.core.files.photos import check_photo, max_upload_bytes
from zoneops.core.loop import services as core_services
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Department, LoopEvent, User, Zone
from zoneops.core.registries import writes as core_writes
from zoneops.hazards import workflow
from zoneops.hazards.models import Hazard, HazardPhoto, InspectionRound, Level


@transaction.atomic
def update_hazard(hazard: Hazard, *, acting_user, fields=None) -> Hazard:
    """Change a hazard's particulars (page, API, import); its loop case keeps its title."""
    core_writes.save_object(hazard, acting_user=acting_user, fields=fields)
    core_services.keep_case_title(hazard.case, hazard.title)
    return hazard


def today() -> dt.date:
    return timezone.localdate()


def _may(user: User | None, action: str, model, zone: Zone) -> bool:
    if user is None:
        return True
    return role_may(user, action, model) and (
        user.is_zone_admin or user.visible_zones().filter(pk=zone.pk).exists()
    )


@transaction.atomic
def report_hazard(
    *,
    zone: Zone,
    title: str,
    category: str,
    description: str,
    acting_user: User | None,
    level: str = Level.GENERAL,
    enterprise=None,
    place: str = "",
    remedy: str = "",
    found_on: dt.date | None = None,
    deadline: dt.date | None = None,
    inspection: InspectionRound | None = None,
    source: str = "",
) -> Hazard:
    """Record a hazard found (by ``acting_user``) and open its loop with the deadline."""
    if enterprise is not None:
        zone = enterprise.zone
    if not _may(acting_user, ADD, Hazard, zone):
        raise PermissionDenied(_("You may not record hazards in {zone}.").format(zone=zone))
    if enterprise is None and not place.strip():
        raise ValidationError(_("Say which enterprise or place the hazard is at."), code="place")
    found_on = found_on or today()
    major = level == Level.MAJOR
    if deadline is None:
        limit = workflow.default_limit(major)
    else:
        if deadline < found_on:
            raise ValidationError(
                _("The rectification deadline cannot be before the day it was found."),
                code="deadline",
            )
        limit = max(calendar.working_days_between(found_on, deadline), 0)
    case = core_services.open_case(
        kind=workflow.kind_for(level),
        zone=zone,
        title=title[:200],
        acting_user=acting_user,
        opened_on=found_on,
        limit_working_days=limit,
    )
    return Hazard.objects.create(
        case=case,
        zone=zone,
        enterprise=enterprise,
        place=place.strip(),
        title=title.strip()[:200],
        category=category,
        level=level,
        description=description.strip(),
        remedy=remedy.strip(),
        found_by=acting_user,
        found_on=found_on,
        deadline=case.due_date,
        inspection=inspection,
        source=source,
    )


@transaction.atomic
def transition(
    hazard: Hazard,
    name: str,
    *,
    acting_user: User,
    comment: str = "",
    department: Department | None = None,
    handler: User | None = None,
    extra_working_days: int | None = None,
    on: dt.date | None = None,
) -> Hazard:
    hazard = Hazard.objects.select_for_update().select_related("case").get(pk=hazard.pk)
    day = on or today()
    if name == "rectify" and hazard.case.state == "rectifying":
        evidence = hazard.photos.filter(kind=HazardPhoto.Kind.EVIDENCE, attempt=hazard.rework_count)
        if not evidence.exists():
            raise ValidationError(
                _("Upload a photo or document showing the rectification first."),
                code="evidence_required",
            )
    result = core_services.do_transition(
        hazard.case,
        name,
        acting_user=acting_user,
        comment=comment,
        department=department,
        handler=handler,
        extra_working_days=extra_working_days,
        on=day,
    )
    hazard.case = result.case
    fields: set[str] = set()
    if name == "rectify":
        hazard.rectified_on = day
        fields.add("rectified_on")
    elif name == "verify":
        hazard.verified_by, hazard.verified_on = acting_user, day
        fields |= {"verified_by", "verified_on"}
    elif name == "rework":
        hazard.rework_count += 1
        hazard.rectified_on = None
        fields |= {"rework_count", "rectified_on"}
    if result.case.due_date != hazard.deadline:
        hazard.deadline = result.case.due_date
        fields.add("deadline")
    if fields:
        hazard.save(update_fields=sorted(fields | {"updated_at"}))
    return hazard


@transaction.atomic
def set_level(hazard: Hazard, level: str, *, acting_user: User, comment: str = "") -> Hazard:
    """Reclassify general ↔ major: the case moves to the other workflow (and escalation)."""
    hazard = Hazard.objects.select_for_update().select_related("case").get(pk=hazard.pk)
    if not _may(acting_user, CHANGE, Hazard, hazard.zone):
        raise PermissionDenied(_("You may not change this hazard."))
    if level not in Level.values:
        raise ValidationError(_("Unknown level."), code="level")
    if level == hazard.level:
        return hazard
    case = hazard.case
    case.kind = workflow.kind_for(level)
    if case.is_open and not case.paused_on:
        target = loop.get_workflow(case.kind)
        case.escalation = (
            0
            if case.state in target.waiting_states
            else loop.escalation_level(target, case.due_date, today())
        )
    case.save(update_fields=["kind", "escalation", "updated_at"])
    LoopEvent.objects.create(
        case=case,
        transition="level",
        from_state=case.state,
        to_state=case.state,
        actor=acting_user,
        comment=comment,
        data={"level": level},
    )
    hazard.level = level
    hazard.save(update_fields=["level", "updated_at"])
    return hazard


@transaction.atomic
def add_photo(
    hazard: Hazard, upload, *, kind: str, acting_user: User, keep_location: bool = False
) -> HazardPhoto:
    """A photo (or PDF) of the hazard as found or of its rectification. The photo's location
    (EXIF GPS) is removed unless ``keep_location``: where a hazard is may be the point."""
    may = Hazard.objects.restrict(acting_user, VIEW).filter(pk=hazard.pk).exists() and (
        acting_user.is_zone_admin
        or acting_user.role in ("staff", "liaison")
        or hazard.case.handler_id == acting_user.pk
    )
    if not may:
        raise PermissionDenied(_("You may not add photos to this hazard."))
    if kind not in HazardPhoto.Kind.values:
        raise ValidationError(_("Unknown kind of photo."), code="kind")
    if kind == HazardPhoto.Kind.EVIDENCE and hazard.case.state not in ("assigned", "rectifying"):
        raise ValidationError(
            _("Evidence is added while the hazard is being rectified."), code="state"
        )
    checked = check_photo(
        upload, keep_location=keep_location, allow_pdf=True, max_bytes=max_upload_bytes()
    )
    return HazardPhoto.store(
        checked.content,
        name=checked.name,
        content_type=checked.content_type,
        uploaded_by=acting_user,
        hazard=hazard,
        kind=kind,
        attempt=hazard.rework_count,
    )


@transaction.atomic
def rectify_with_photos(
    hazard: Hazard,
    photos,
    *,
    acting_user: User,
    comment: str,
    keep_location: bool = False,
    on: dt.date | None = None,
) -> Hazard:
    """Report a hazard rectified from the site in one step: start rectifying if it was only
    assigned, add the photos as evidence of this attempt, and report it rectified."""
    hazard = Hazard.objects.select_related("case").get(pk=hazard.pk)
    if not photos:
        raise ValidationError(
            _("Upload a photo or document showing the rectification first."),
            code="evidence_required",
        )
    if hazard.case.state == "assigned":
        hazard = transition(hazard, "start", acting_user=acting_user, on=on)
    if hazard.case.state != "rectifying":
        raise ValidationError(
            _("Evidence is added while the hazard is being rectified."), code="state"
        )
    for upload in photos:
        add_photo(
            hazard,
            upload,
            kind=HazardPhoto.Kind.EVIDENCE,
            acting_user=acting_user,
            keep_location=keep_location,
        )
    return transition(hazard, "rectify", acting_user=acting_user, comment=comment, on=on)


@transaction.atomic
def complete_round(
    inspection: InspectionRound, *, acting_user: User, on: dt.date | None = None
) -> InspectionRound:
    if not _may(acting_user, CHANGE, InspectionRound, inspection.zone):
        raise PermissionDenied(_("You may not change this inspection round."))
    if inspection.done_on:
        raise ValidationError(_("This round is already done."), code="done")
    inspection.done_on = on or today()
    inspection.save(update_fields=["done_on", "updated_at"])
    return inspection


def record_finding(inspection: InspectionRound, *, acting_user: User, **fields) -> Hazard:
    """A hazard found on an inspection round (at one of its enterprises, or a place)."""
    enterprise = fields.get("enterprise")
    if enterprise is not None and not inspection.enterprises.filter(pk=enterprise.pk).exists():
        raise ValidationError(
            _("{enterprise} is not on this inspection round.").format(enterprise=enterprise),
            code="enterprise",
        )
    fields.setdefault("found_on", inspection.done_on or inspection.planned_on)
    return report_hazard(
        zone=inspection.zone, inspection=inspection, acting_user=acting_user, **fields
    )
