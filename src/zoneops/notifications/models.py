"""In-app notifications: the bell in the navigation bar."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.models import LoopCase, ZoneopsModel


class Notification(models.Model):
    """A message for one user. Not a domain record: not zone-scoped, not in the audit trail."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to you")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated")
        REQUEST = "request", _("Waiting for your decision")
        INFO = "info", _("Information")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    case = models.ForeignKey(
        LoopCase,
        verbose_name=_("closed-loop case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField(_("link"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("cases"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class Event(models.TextChoices):
    """What happened: the kinds of outgoing messages a route may subscribe to."""

    ASSIGNED = "assigned", _("Assigned")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    RETURNED = "returned", _("Returned (sent back)")
    LEAD_NO_CONTACT = "lead_no_contact", _("Lead without first contact")
    PROJECT_RED = "project_red", _("Project light turned red")
    DIGEST = "digest", _("Working-day digest")
    ENTERPRISE = "enterprise", _("Message to an enterprise")


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app (bell)")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS = "sms", _("SMS")


class Route(ZoneopsModel):
    """Where the messages of some events of a zone (and optionally one department) go.

    A route of a zone also serves the zones below it. An in-app route delivers to the bells of
    the department's members (or of the zone's staff when it names no department); an SMS route
    to the phone numbers it lists.
    """

    zone = models.ForeignKey(
        "core.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    # Comma-separated event kinds, with a comma at each end so that one is found by ",kind,".
    events = models.CharField(_("events"), max_length=300, default=",")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    webhook_url = models.CharField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "The robot's address, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk robots with signing (加签): the secret starting with SEC."),
    )
    phones = models.CharField(
        _("phone numbers"),
        max_length=500,
        blank=True,
        help_text=_(
            "SMS: the numbers to send to; robots: the members to mention. Comma-separated."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    # The webhook URL carries the robot's key and the secret signs: neither is an audit value.
    audit_exclude = ("webhook_url", "secret")
    filter_exempt = ("webhook_url", "secret", "phones")
    role_actions = {
        "admin": frozenset({"view", "add", "change", "delete"}),
        "staff": frozenset({"view"}),
    }

    class Meta:
        ordering = ["zone__path", "name"]
        verbose_name = _("notification route")
        verbose_name_plural = _("notification routes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notifications:route_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.department_id and self.zone_id:
            route_path, department_path = self.zone.path, self.department.zone.path
            if not (
                route_path.startswith(department_path) or department_path.startswith(route_path)
            ):
                raise ValidationError(
                    {"department": _("This department works in another zone than the route.")}
                )

    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    def set_events(self, kinds) -> None:
        self.events = "," + ",".join(sorted(set(kinds))) + ","

    def get_events_display(self) -> str:
        labels = dict(Event.choices)
        return "、".join(str(labels.get(e, e)) for e in self.event_list())

    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.replace("，", ",").split(",") if p.strip()]


class OutboxQuerySet(RestrictedQuerySet):
    pass


class OutboxMessage(models.Model):
    """One outgoing message, written in the transaction of the change that causes it and sent
    afterwards by ``zoneops notify`` / ``zoneops tick``. Not a domain record: no audit rows."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead")

    zone = models.ForeignKey(
        "core.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    route = models.ForeignKey(
        Route,
        verbose_name=_("route"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    destination = models.CharField(_("destination"), max_length=500, blank=True)
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    text = models.TextField(_("text"))
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()
    role_actions = {"admin": frozenset({"view", "change"})}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["claim_token"], name="outbox_claim"),
            models.Index(fields=["enterprise", "channel", "created_at"], name="outbox_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.get_channel_display()}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:outboxmessage_detail", args=[self.pk])


class DeliveryAttempt(models.Model):
    """One try at sending an outgoing message."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    ok = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} {self.time:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class ProjectLight(models.Model):
    """The last traffic light seen for a project by ``zoneops tick``: a light that turns red
    is an event, and lights are computed, not stored, by the projects app."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    light = models.PositiveSmallIntegerField(default=0)
    since = models.DateField()

    def __str__(self) -> str:
        return f"{self.project_id}: {self.light}"


class DigestRun(models.Model):
    """The working-day digest went out for this day (written with its messages)."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    day = models.DateField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    messages = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.day.isoformat()
