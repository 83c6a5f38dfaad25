"""Enterprise appeals (企业诉求): submissions, appeals in the closed loop, attachments."""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.appeals import workflow
from zoneops.core.access.permissions import ACTIONS, ADD, CHANGE, VIEW
from zoneops.core.models import LoopCase, StoredFile, Zone, ZoneopsModel


class Channel(models.TextChoices):
    VISIT = "visit", _("Liaison visit")
    HOTLINE = "hotline", _("12345 hotline")
    ONLINE = "online", _("Online form")
    ON_SITE = "on_site", _("On-site office")
    SERVICE_MONTH = "service_month", _("Enterprise service month activity")


class Category(models.TextChoices):
    FINANCING = "financing", _("Financing")
    LAND = "land", _("Land")
    LABOUR = "labour", _("Labour")
    PERMITS = "permits", _("Permits and approvals")
    POLICY = "policy", _("Policy application")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    UTILITIES = "utilities", _("Power, water, gas")
    MARKET_ACCESS = "market_access", _("Market access")
    TALENT = "talent", _("Talent")
    DISPUTES = "disputes", _("Disputes")
    OTHER = "other", _("Other")


APPEAL_ROLES = {
    "admin": frozenset(ACTIONS),
    "staff": frozenset({VIEW, ADD, CHANGE}),
    "liaison": frozenset({VIEW, ADD}),  # liaisons record what enterprises raise on visits
    "leader": frozenset({VIEW}),
}


class Submission(ZoneopsModel):
    """One submission by an enterprise; it may hold several appeals that stay linked."""

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    # A keyed hash of the submitting address (public page), never the address itself.
    client_key = models.CharField(_("client key"), max_length=64, blank=True, editable=False)
    # The one-time token of the public form: a replayed form returns the first submission.
    nonce = models.CharField(
        _("form token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )

    role_actions = APPEAL_ROLES
    audit_exclude = ("created_at", "updated_at", "client_key", "nonce")
    # Shown in full only to those handling the case, on request (audited); masked elsewhere.
    personal_fields = ("contact_phone",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["client_key", "created_at"], name="submission_client")]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.enterprise_name}"

    def get_absolute_url(self) -> str:
        first = self.appeals.order_by("pk").first()
        return first.get_absolute_url() if first else reverse("appeals:appeal_list")


class Appeal(ZoneopsModel):
    """An enterprise's appeal, handled in the closed loop of its ``case``."""

    class Coordination(models.TextChoices):
        NONE = "", _("None")
        MEETING = "meeting", _("Coordination meeting (九解一协调)")
        LEADER = "leader", _("Responsible leader")

    class ClosedBy(models.TextChoices):
        OPEN = "", _("Not closed")
        CONFIRMATION = "confirmation", _("The enterprise confirmed")
        REVISIT = "revisit", _("Revisit")
        DISMISSED = "dismissed", _("Declined")

    case = models.OneToOneField(
        LoopCase,
        verbose_name=_("closed-loop case"),
        on_delete=models.PROTECT,
        related_name="appeal",
    )
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.PROTECT, related_name="appeals"
    )
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        help_text=_("Empty when the enterprise is not (yet) in the registry."),
    )
    visit = models.ForeignKey(
        "enterprises.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
        help_text=_("The liaison visit where the enterprise raised it."),
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    description = models.TextField(_("description"))
    multi_department = models.BooleanField(_("several departments involved"), default=False)
    # Stage deadlines (working days from submission) and when each stage was reached.
    accept_due = models.DateField(_("accept by"))
    answer_due = models.DateField(_("first answer by"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    answered_on = models.DateField(_("first answered on"), null=True, blank=True)
    replied_on = models.DateField(_("last replied on"), null=True, blank=True)
    coordination = models.CharField(
        _("escalated to"), max_length=10, choices=Coordination.choices, blank=True, default=""
    )
    closed_by = models.CharField(
        _("closed by"), max_length=20, choices=ClosedBy.choices, blank=True, default=""
    )
    close_working_days = models.PositiveSmallIntegerField(
        _("working days to close"), null=True, blank=True
    )
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    role_actions = APPEAL_ROLES

    class Meta:
        ordering = ["-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["zone", "category"], name="appeal_zone_category")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("appeals:appeal_detail", args=[self.pk])

    @property
    def tracking_number(self) -> str:
        return self.submission.tracking_number

    @property
    def state_label(self) -> str:
        return workflow.STATES.get(self.case.state, self.case.state)

    @property
    def escalation_label(self) -> str:
        return workflow.ESCALATION_LABELS.get(self.case.escalation_now, "")

    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    def stage_late(self, today: dt.date) -> list[str]:
        """The stage deadlines this appeal has missed (accept, first answer)."""
        late = []
        accepted = self.accepted_on or (today if self.case.state == "submitted" else None)
        if accepted and accepted > self.accept_due:
            late.append(str(_("accepted late")))
        answered = self.answered_on or (
            today
            if self.case.is_open and self.case.state in ("submitted", "accepted", "assigned")
            else None
        )
        if answered and answered > self.answer_due:
            late.append(str(_("first answer late")))
        return late


def attachment_path(instance, filename: str) -> str:
    return f"appeals/{instance.appeal_id}/{instance.sha256[:16]}-{filename[-80:]}"


class Attachment(StoredFile):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    zone_lookup = "appeal__zone"
    role_actions = APPEAL_ROLES

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class AppealRollup(models.Model):
    """Appeals counted per zone, month of submission and category (``core.registries.rollups``,
    kind "appeals"): what the dashboard's year-to-date panel and the pack's summary by
    category read. Averages are kept as sums and counts."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=20)
    total = models.PositiveIntegerField()
    open = models.PositiveIntegerField()
    closed = models.PositiveIntegerField()  # closed, not dismissed
    on_time = models.PositiveIntegerField()
    days_sum = models.PositiveIntegerField()  # working days to close, of the closed
    days_count = models.PositiveIntegerField()
    reopened = models.PositiveIntegerField()
    rating_sum = models.PositiveIntegerField()
    rated = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.zone_id} {self.year}-{self.month:02d} {self.category}: {self.total}"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year", "month", "category"], name="appealrollup_key"
            )
        ]
