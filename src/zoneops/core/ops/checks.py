"""Start-up checks (``zoneops check`` and every management command run them)."""

from django.conf import settings
from django.core.checks import Error, register

from zoneops.core.accounts.security import MIN_AUDIT_RETENTION_DAYS


@register()
def audit_retention(app_configs=None, **kwargs):
    """等保 2.0: audit records are kept at least 180 days; a shorter setting is refused."""
    value = getattr(settings, "ZONEOPS_AUDIT_RETENTION_DAYS", MIN_AUDIT_RETENTION_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days < MIN_AUDIT_RETENTION_DAYS:
        return [
            Error(
                f"ZONEOPS_AUDIT_RETENTION_DAYS is {value!r}; the audit trail must be kept at "
                f"least {MIN_AUDIT_RETENTION_DAYS} days (等保 2.0).",
                hint=f"Set ZONEOPS_AUDIT_RETENTION_DAYS to {MIN_AUDIT_RETENTION_DAYS} or more.",
                id="zoneops.E001",
            )
        ]
    return []


@register()
def holidays_file(app_configs=None, **kwargs):
    """A holiday file with a partial or inconsistent year is refused at start-up, not used."""
    from zoneops.core.calendar import workdays as calendar

    path = getattr(settings, "ZONEOPS_HOLIDAYS_FILE", "")
    if not path:
        return []
    try:
        calendar.file_days()
    except OSError as exc:
        reasons = [str(exc)]
    except calendar.ArrangementError as exc:
        reasons = exc.errors
    else:
        return []
    return [
        Error(
            f"ZONEOPS_HOLIDAYS_FILE: {reason}",
            hint="Correct the file (date,kind,name per line, every holiday of each year) "
            "or enter the year on the 工作日历 page instead.",
            id="zoneops.E002",
        )
        for reason in reasons
    ]
