"""The closed loop's rows: one case per appeal, hazard or task, and its typed history."""

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.loop import workflows as loop
from zoneops.core.zones.models import Department, Zone, ZoneopsModel


class LoopCase(ZoneopsModel):
    """The closed-loop part of an appeal, hazard or task: state, assignment, deadline, escalation.

    Domain records hold a one-to-one link to their case, so ``zoneops tick`` works over one
    table for every kind of loop. The workflow (states, transitions, roles) is chosen by ``kind``
    from the registry in ``zoneops.core.loop.workflows``.
    """

    Escalation = loop.Escalation

    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=30, db_index=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    opened_on = models.DateField(_("opened on"), default=dt.date.today)
    limit_working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    due_date = models.DateField(_("due date"), db_index=True)
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True, db_index=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NORMAL
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("closed-loop case")
        verbose_name_plural = _("closed-loop cases")
        indexes = [models.Index(fields=["is_open", "due_date"], name="loopcase_open_due")]

    def __str__(self) -> str:
        return self.title

    # The workflow's words for its kind and state (no model choices: workflows register them),
    # where pages and exports show a field through get_<field>_display.
    @property
    def escalation_now(self) -> int:
        """The escalation level as of today, from the deadline (``loop.current_escalation``)."""
        return loop.current_escalation(self)

    def get_escalation_now_display(self) -> str:
        return str(self.Escalation(self.escalation_now).label)

    def get_kind_display(self) -> str:
        return str(loop.get_workflow(self.kind).label)

    def get_state_display(self) -> str:
        return str(loop.get_workflow(self.kind).states.get(self.state, self.state))

    def history_display(self, name: str, value):
        """The change log's words for the workflow's codes (``readable_changes``)."""
        try:
            if name == "state":
                return str(loop.get_workflow(self.kind).states.get(value, value))
            if name == "kind":
                return str(loop.get_workflow(value).label)
        except LookupError:
            return value
        return None

    def get_absolute_url(self) -> str:
        return reverse("core:loopcase_detail", args=[self.pk])


class LoopEvent(models.Model):
    """A typed history row: one per transition or escalation of a case."""

    class Type(models.TextChoices):
        TRANSITION = "transition", _("Transition")
        ESCALATION = "escalation", _("Escalation")
        DEADLINE = "deadline", _("Deadline recomputed")

    case = models.ForeignKey(LoopCase, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TRANSITION)
    transition = models.CharField(_("transition"), max_length=30, blank=True)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("closed-loop event")
        verbose_name_plural = _("closed-loop events")

    def __str__(self) -> str:
        return f"{self.transition or self.type}: {self.from_state} → {self.to_state}"

    # What the history shows: the workflow's own words, not the stored names.

    def _workflow(self):
        try:
            return loop.get_workflow(self.case.kind)
        except LookupError:
            return None

    @property
    def action_label(self) -> str:
        if self.type in (self.Type.ESCALATION, self.Type.DEADLINE):
            return str(self.get_type_display())
        if self.transition == "open":
            return str(_("Opened"))
        workflow = self._workflow()
        found = workflow.transitions.get(self.transition) if workflow else None
        return str(found.label) if found else self.transition

    def _state_label(self, state: str) -> str:
        workflow = self._workflow()
        return str(workflow.states.get(state, state)) if workflow and state else state

    @property
    def from_label(self) -> str:
        if self.type == self.Type.ESCALATION:
            return str(LoopCase.Escalation(self.data.get("from", 0)).label)
        return self._state_label(self.from_state)

    @property
    def to_label(self) -> str:
        if self.type == self.Type.ESCALATION:
            return str(LoopCase.Escalation(self.data.get("to", 0)).label)
        return self._state_label(self.to_state)


class LoopCaseRollup(models.Model):
    """Closed-loop cases counted per zone and kind (``core.registries.rollups``, kind "loop"):
    the open ones per due date, pause day and kept escalation level, so that the overdue and
    due-soon counts of any day are ``workflows.overdue_q(prefix="")`` over a few hundred rows,
    the same filter as the lists; the closed ones in one row per zone and kind (no date)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=30)
    is_open = models.BooleanField()
    due_date = models.DateField(null=True)
    paused_on = models.DateField(null=True)
    escalation = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.zone_id} {self.kind} {self.due_date}: {self.n}"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "kind", "is_open", "due_date", "paused_on", "escalation"],
                name="loopcaserollup_key",
            )
        ]
