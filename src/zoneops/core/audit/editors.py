"""The four-eyes ledger of approved periods (``core.registries.periods``): who entered or changed
the figures of a zone's month. An abstract model each approving app subclasses, and the one
helper that writes it. Here rather than beside ``periods`` because it refers to ``Zone``, which
sits above the registries in core's layers; it is bookkeeping beside the audit trail.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.zones.models import Zone


class EditorLedger(models.Model):
    """Who entered or changed the figures of a zone's month (the 四眼原则 ledger), abstract.

    One row per zone, month and person, written with every figure saved, imported or deleted
    (``record_editors``); the app's ``approve_month`` refuses the approval of a month to anyone
    listed for it. Bookkeeping beside the audit trail (which keeps every change itself).
    Each app that approves periods has its own ledger (enterprise figures, indicator values).
    """

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(_("first entered at"), auto_now_add=True)
    last_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "user", "zone"], name="%(class)s_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.year}-{self.month:02d} {self.user_id}"


def record_editors(ledger: type[EditorLedger], user, keys: Iterable[tuple[int, int, int]]) -> None:
    """Record ``user`` in ``ledger`` as having entered or changed figures of each
    ``(zone_id, year, month)``. ``None`` (the system) is not recorded."""
    if user is None or not getattr(user, "pk", None):
        return
    for zone_id, year, month in set(keys):
        editor, created = ledger.objects.get_or_create(
            zone_id=zone_id, year=year, month=month, user_id=user.pk
        )
        if not created:
            editor.save(update_fields=["last_at"])
