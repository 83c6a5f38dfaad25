"""Liaison cadres (包保干部) and their visits (走访): coverage, photos, support measures."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    Max,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import ADD, CHANGE, VIEW, role_may
from zoneops.core.files.photos import check_photo
from zoneops.core.models import Role, User
from zoneops.core.registries import writes as core_writes
from zoneops.enterprises.models import (
    CultivationEntry,
    Enterprise,
    LiaisonAssignment,
    SupportMeasure,
    Visit,
    VisitPhoto,
)
from zoneops.enterprises.services import common
from zoneops.enterprises.services.common import _require_enterprise


def without_recent_visit(qs: QuerySet, days: int, on: dt.date | None = None) -> QuerySet:
    """Operating above-scale enterprises of ``qs`` not visited in the last ``days`` days."""
    on = on or common.today()
    since = on - dt.timedelta(days=days)
    recent = Visit.objects.filter(visited_on__gt=since, visited_on__lte=on).values("enterprise_id")
    return (
        qs.filter(above_scale=True, status=Enterprise.Status.OPERATING)
        .exclude(pk__in=recent)
        .annotate(last_visit=Max("visits__visited_on"))
    )


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def visited_too_often(qs: QuerySet, times: int, year: int, month: int) -> QuerySet:
    """无事不扰: enterprises of ``qs`` visited more than ``times`` times in a month."""
    first, last = month_bounds(year, month)
    in_month = Q(visits__visited_on__gte=first, visits__visited_on__lte=last)
    return qs.annotate(visits_in_month=Count("visits", filter=in_month)).filter(
        visits_in_month__gt=times
    )


@transaction.atomic
def record_visit(
    enterprise: Enterprise,
    *,
    acting_user: User,
    visited_on: dt.date | None = None,
    cadre: User | None = None,
    people_met: str = "",
    findings: str = "",
    appeals_raised: str = "",
    photos=(),
) -> Visit:
    """A cadre's visit, with the photos taken there (their location removed).

    A liaison cadre records their own visits only."""
    if acting_user is not None:
        if not role_may(acting_user, ADD, Visit):
            raise PermissionDenied(_("Your role may not record visits."))
        _require_enterprise(acting_user, enterprise)
    cadre = cadre or acting_user
    if cadre is None:
        raise ValidationError(_("A visit needs the cadre who made it."))
    if acting_user is not None and acting_user.role == Role.LIAISON and cadre != acting_user:
        raise PermissionDenied(_("A liaison cadre records their own visits."))
    visited_on = visited_on or common.today()
    if visited_on > common.today():
        raise ValidationError(_("A visit cannot be in the future."))
    checked = [check_photo(upload) for upload in photos]
    visit = Visit.objects.create(
        enterprise=enterprise,
        cadre=cadre,
        visited_on=visited_on,
        people_met=people_met,
        findings=findings,
        appeals_raised=appeals_raised,
    )
    for photo in checked:
        _store_visit_photo(visit, photo, acting_user)
    return visit


@transaction.atomic
def add_visit_photo(visit: Visit, upload, *, acting_user: User) -> VisitPhoto:
    """Add a photo to a visit (its location removed); a liaison cadre to their own visits."""
    if not Visit.objects.restrict(acting_user, CHANGE).filter(pk=visit.pk).exists():
        raise PermissionDenied(_("You may not add photos to this visit."))
    if acting_user.role == Role.LIAISON and visit.cadre_id != acting_user.pk:
        raise PermissionDenied(_("A liaison cadre changes their own visits only."))
    return _store_visit_photo(visit, check_photo(upload), acting_user)


def _store_visit_photo(visit: Visit, photo, acting_user) -> VisitPhoto:
    return VisitPhoto.store(
        photo.content,
        name=photo.name,
        content_type=photo.content_type,
        uploaded_by=acting_user,
        visit=visit,
    )


def my_enterprises(user) -> QuerySet:
    return Enterprise.objects.restrict(user, VIEW).filter(liaison_assignments__user=user)


@transaction.atomic
def assign_liaison(
    enterprise: Enterprise, user: User, *, acting_user: User, is_lead: bool = False
) -> LiaisonAssignment:
    if acting_user is not None and not role_may(acting_user, ADD, LiaisonAssignment):
        raise PermissionDenied(_("Your role may not assign liaison cadres."))
    _require_enterprise(acting_user, enterprise)
    if not user.is_active:
        raise ValidationError(_("{user} is not an active user.").format(user=user))
    if not user.visible_zones().filter(pk=enterprise.zone_id).exists():
        raise ValidationError(
            _("{user} is not granted the zone of {enterprise}.").format(
                user=user, enterprise=enterprise
            )
        )
    assignment, _created = LiaisonAssignment.objects.get_or_create(
        enterprise=enterprise, user=user, defaults={"is_lead": is_lead}
    )
    if assignment.is_lead != is_lead:
        assignment.is_lead = is_lead
        assignment.save(update_fields=["is_lead", "updated_at"])
    return assignment


@transaction.atomic
def update_visit(visit: Visit, *, acting_user, fields=None) -> Visit:
    """Change a visit's record; a liaison cadre changes their own visits only."""
    liaison = acting_user is not None and acting_user.role == Role.LIAISON
    if liaison and visit.cadre_id != acting_user.pk:
        raise PermissionDenied(_("A liaison cadre changes their own visits only."))
    return core_writes.save_object(visit, acting_user=acting_user, fields=fields)


@transaction.atomic
def add_measure(measure: SupportMeasure, *, acting_user, fields=None) -> SupportMeasure:
    """Add a support measure to a cultivation entry the user may change."""
    entry = measure.entry
    if acting_user is not None and (
        not CultivationEntry.objects.restrict(acting_user, CHANGE).filter(pk=entry.pk).exists()
    ):
        raise PermissionDenied(_("Unknown cultivation pool entry."))
    return core_writes.save_object(measure, acting_user=acting_user, fields=fields)
