"""后台作业: long work (imports, exports, packs, recomputations) run by the job worker.

A job is not a domain record: it has no audit trail of its own (its progress changes every
second), but what it writes is audited under its ``key`` as the audit rows' request id. It is
zone-scoped like everything else: its zone is the owner's, and ``restrict`` shows a user their
own jobs, an administrator everyone's.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import ADD, CHANGE, VIEW
from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.models import Zone


class JobQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = VIEW) -> "JobQuerySet":
        qs = super().restrict(user, action)
        if user.is_authenticated and user.is_zone_admin:
            return qs
        return qs.filter(user=user.pk) if user.is_authenticated else qs.none()

    def active(self) -> "JobQuerySet":
        return self.filter(state__in=Job.ACTIVE)


class Job(models.Model):
    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        PACK = "pack", _("Dispatch pack")
        RECOMPUTE = "recompute", _("Deadline recomputation")
        INTAKE = "intake", _("Text intake")
        BULK = "bulk", _("Bulk API call")
        ROLLUP = "rollup", _("Roll-up rebuild")

    ACTIVE = (State.QUEUED, State.RUNNING)

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # What runs: an import page's view (its importer and model) by dotted path; for an
    # export, the list page's path, with its query (filters, search, sort) in ``params``; for
    # other work, its name in ``core.registries.background``'s registry, with its parameters as
    # JSON.
    target = models.CharField(_("target"), max_length=300)
    params = models.TextField(_("parameters"), blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    task_id = models.CharField(_("task result id"), max_length=64, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    result_name = models.CharField(_("result file"), max_length=200, blank=True)
    return_url = models.CharField(_("list"), max_length=300, blank=True)

    objects = JobQuerySet.as_manager()
    zone_lookup = "zone"
    # Everyone with domain work may start jobs and follow or cancel their own (restrict).
    role_actions = {
        role: frozenset({VIEW, ADD, CHANGE}) for role in ("admin", "staff", "liaison", "leader")
    }
    filter_exempt = ("key", "errors", "target", "params", "worker", "task_id", "language")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_created"),
            models.Index(fields=["state"], name="job_state"),
        ]
        constraints = [
            # One running import of the same file into the same page per user: a second
            # upload while the first runs is sent to the first (services.import_upload).
            models.UniqueConstraint(
                fields=["user", "target", "checksum"],
                condition=Q(state__in=["queued", "running"]) & ~Q(checksum=""),
                name="job_one_active_per_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state not in self.ACTIVE
