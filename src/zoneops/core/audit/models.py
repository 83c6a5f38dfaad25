"""The audit trail's rows: what changed, by whom, when (they cannot be edited or deleted)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.querysets import RestrictedQuerySet


class AuditQuerySet(RestrictedQuerySet):
    """The audit trail's rows: appended by the system, never changed or removed in bulk either.

    Only ``zoneops purge_audit`` removes rows, older than the retention period, and it does so
    with ``purge_older_than`` below.
    """

    def update(self, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be edited."))

    def delete(self):
        raise PermissionDenied(_("The audit trail cannot be deleted."))

    def purge_older_than(self, cutoff) -> int:
        """Remove rows older than ``cutoff`` (the caller checks it against the retention)."""
        return self.filter(time__lt=cutoff)._raw_delete(self.db)


class ObjectChange(models.Model):
    """One row per create, update or delete of a domain record. Append-only."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # No index of its own: ``objchange_object`` below starts with it. Every change writes a
    # row here, so each index the table need not have makes every write cheaper.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    zone_id = models.BigIntegerField(_("zone id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), encoder=DjangoJSONEncoder, default=dict)

    objects = AuditQuerySet.as_manager()
    zone_lookup = "zone_id"
    # 三员分立: only the audit administrator reads (and exports) the log of what everyone,
    # the system administrator included, changed; nobody writes it except the system.
    role_actions = {"auditor": frozenset({"view"})}

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        # One index per way the log is narrowed, each ending in time for newest-first pages.
        # A filter on user and action (what did this person change?) is counted from the
        # index alone: the rows of one user are spread over the whole table.
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="objchange_object"),
            models.Index(fields=["user_name", "action", "-time"], name="objchange_user_action"),
            models.Index(fields=["action", "-time"], name="objchange_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(_("The audit trail cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be deleted."))

    def get_absolute_url(self) -> str:
        return reverse("core:objectchange_detail", args=[self.pk])
