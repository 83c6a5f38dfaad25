"""Campaigns (攻坚行动), their goals, and task books (任务书) with milestones (路线图) and progress
reported each dispatch cycle. Every task runs in the closed loop (``case``, workflow "task")."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, LoopCase, Zone, ZoneopsModel

MONEY = {"max_digits": 16, "decimal_places": 2}


class Campaign(ZoneopsModel):
    """A campaign with dates and goals: 大干60天冲刺四季度, 十大工程, 六大振兴行动 …"""

    class Kind(models.TextChoices):
        SPRINT = "sprint", _("Sprint")
        PROGRAMME = "programme", _("Programme of projects")
        ACTION = "action", _("Action plan")

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SPRINT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def days_left(self, today: dt.date | None = None) -> int:
        """Calendar days until the last day (0 on it, negative once over): the countdown."""
        return (self.ends_on - (today or dt.date.today())).days

    def days_total(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Goal(ZoneopsModel):
    """A goal of a campaign: an indicator's value, or a count ("515": 50 platforms …)."""

    class Measure(models.TextChoices):
        INDICATOR = "indicator", _("An indicator's value")
        COUNT = "count", _("A count")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="goals"
    )
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(
        _("measured by"), max_length=20, choices=Measure.choices, default=Measure.COUNT
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_goals",
    )
    target_value = models.DecimalField(_("target"), null=True, blank=True, **MONEY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    achieved = models.DecimalField(
        _("achieved so far"),
        default=0,
        help_text=_("For a count; an indicator's goal reads the indicator's values."),
        **MONEY,
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    zone_lookup = "campaign__zone"

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.name


class Task(ZoneopsModel):
    """One task of a task book (任务书): who leads, who does it, who supervises, by when."""

    class Origin(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign task book")
        DECISION = "decision", _("Meeting decision")
        OTHER = "other", _("Other")

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="tasks"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    case = models.OneToOneField(
        LoopCase, verbose_name=_("closed-loop case"), on_delete=models.PROTECT, related_name="task"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey(
        Department,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    responsible_unit = models.ForeignKey(
        Department,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_tasks",
    )
    supervising_unit = models.ForeignKey(
        Department,
        verbose_name=_("supervising unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_tasks",
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tasks",
    )
    deadline = models.DateField(
        _("deadline"),
        help_text=_("As set in the task book; an extension moves the case's due date."),
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.CAMPAIGN
    )
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    requested_extension_days = models.PositiveSmallIntegerField(
        _("extension asked (working days)"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["case__due_date", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["zone", "deadline"], name="task_zone_deadline")]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args, **kwargs):
        case = self.case
        result = super().delete(*args, **kwargs)
        case.delete()  # the task's own loop case goes with it
        return result

    @property
    def light(self) -> str:
        """ "done", "green", "yellow" (due within 3 working days) or "red" (overdue)."""
        return self.light_at(None)

    def light_at(self, today) -> str:
        """The light as of ``today`` (None: today), read from the deadline."""
        from zoneops.core.loop.workflows import current_escalation

        case = self.case
        if not case.is_open:
            return "done"
        level = current_escalation(case, today)
        if level >= LoopCase.Escalation.OVERDUE:
            return "red"
        if level == LoopCase.Escalation.DUE_SOON:
            return "yellow"
        return "green"


class Milestone(ZoneopsModel):
    """A step of a task's roadmap (路线图)."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    zone_lookup = "task__zone"

    class Meta:
        ordering = ["task", "due_on", "sort_order", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.task} {self.name}"


class ProgressUpdate(ZoneopsModel):
    """What a task achieved in one dispatch cycle (调度), and what blocks it."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates"
    )
    cycle = models.CharField(
        _("dispatch cycle"), max_length=40, help_text=_("E.g. 2025-11 or 2025-W46.")
    )
    reported_on = models.DateField(_("reported on"), default=dt.date.today)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    text = models.TextField(_("what was done"))
    problems = models.TextField(_("problems"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    zone_lookup = "task__zone"

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(fields=["task", "cycle"], name="progressupdate_one_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.cycle}"
