"""Core's models, each kept in the sub-package it belongs to; Django and the apps find them here.

Inside core, import a model from its own sub-package (``zoneops.core.zones.models``):
this module imports them all, so it sits above every sub-package.
"""

from zoneops.core.access.roles import ADMINISTRATOR_ROLES, Role
from zoneops.core.accounts.models import (
    PasswordHistory,
    SecurityEvent,
    User,
    UserQuerySet,
    ZoneopsUserManager,
)
from zoneops.core.audit.models import AuditQuerySet, ObjectChange
from zoneops.core.calendar.models import CalendarDay, DeadlineChange, HolidayArrangement
from zoneops.core.db.models import DataVersion
from zoneops.core.files.models import StoredFile
from zoneops.core.loop.models import LoopCase, LoopCaseRollup, LoopEvent
from zoneops.core.ui.models import ClientSubmission, new_request_id
from zoneops.core.zones.models import (
    CHINA_LATITUDE,
    CHINA_LONGITUDE,
    DEPARTMENT_UNITS,
    AuditedMixin,
    Department,
    Located,
    Zone,
    ZoneopsModel,
    department_code,
)

__all__ = [
    "ADMINISTRATOR_ROLES",
    "AuditQuerySet",
    "AuditedMixin",
    "CHINA_LATITUDE",
    "CHINA_LONGITUDE",
    "CalendarDay",
    "ClientSubmission",
    "DEPARTMENT_UNITS",
    "DataVersion",
    "DeadlineChange",
    "Department",
    "HolidayArrangement",
    "Located",
    "LoopCase",
    "LoopCaseRollup",
    "LoopEvent",
    "ObjectChange",
    "PasswordHistory",
    "Role",
    "SecurityEvent",
    "StoredFile",
    "User",
    "UserQuerySet",
    "Zone",
    "ZoneopsModel",
    "ZoneopsUserManager",
    "department_code",
    "new_request_id",
]
