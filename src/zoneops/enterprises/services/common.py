"""What every rule of the enterprises app shares: today's date (one place, so tests can
move it) and the role-and-zone checks the writes make first."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.access.permissions import role_may
from zoneops.enterprises.models import (
    Enterprise,
)


def today() -> dt.date:
    return timezone.localdate()


def _require(user, action: str, obj) -> None:
    """``user`` may do ``action`` on ``obj`` (role and zone), or PermissionDenied."""
    model = type(obj)
    if user is None:
        return  # system jobs (demo, generate, commands)
    if not role_may(user, action, model):
        raise PermissionDenied(_("Your role may not do this."))
    if obj.pk is None:
        return
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("This record belongs to a zone you are not granted."))


def _require_enterprise(user, enterprise: Enterprise) -> None:
    if user is None or user.is_zone_admin:
        return
    if not user.visible_zones().filter(pk=enterprise.zone_id).exists():
        raise PermissionDenied(_("This enterprise belongs to a zone you are not granted."))
