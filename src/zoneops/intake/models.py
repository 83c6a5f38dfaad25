"""Intake: articles registered for reading, and the statements proposed from them for review.

An accepted (or corrected) statement is the reviewed fact — value, unit, indicator code, period,
kind, subject — linked to the sentence it came from. Accepting it also writes what it maps to,
through the indicators and tasks services and in the same transaction: a target, an indicator
value or a campaign goal (``apply.py``); the statement keeps the link to what it wrote. Nothing
is written to targets, values or goals without a person accepting it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Zone, ZoneopsModel


class Document(ZoneopsModel):
    """An article or work report registered for reading (``source``: its URL or site)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="intake_documents"
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    text = models.TextField(_("text"), help_text=_("The text as it was registered."))
    checksum = models.CharField(
        _("checksum"),
        max_length=64,
        editable=False,
        help_text=_("SHA-256 of the cleaned article text: the same article is registered once."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    filter_exempt = ("text", "checksum")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["zone", "checksum"], name="intake_document_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Statement(ZoneopsModel):
    """One figure read from an article, proposed for review."""

    class Kind(models.TextChoices):
        TARGET = "target", _("Target")
        ACTUAL = "actual", _("Actual")
        # 预计: the reporting office's estimate; accepted only as what a reviewer chooses.
        ESTIMATE = "estimate", _("Estimate")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        CORRECTED = "corrected", _("Corrected and accepted")
        REJECTED = "rejected", _("Rejected")

    class Outcome(models.TextChoices):
        TARGET = "target", _("Target")
        VALUE = "value", _("Indicator value")
        GOAL = "goal", _("Campaign goal")
        FACT = "fact", _("Reviewed fact only")

    REVIEWED_FACTS = (State.ACCEPTED, State.CORRECTED)

    document = models.ForeignKey(
        Document, verbose_name=_("article"), on_delete=models.CASCADE, related_name="statements"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    sentence = models.TextField(_("clause"), help_text=_("The clause the figure was read from."))
    context = models.TextField(_("sentence"))
    clause_start = models.PositiveIntegerField(default=0)
    number_start = models.PositiveIntegerField(default=0)
    number_end = models.PositiveIntegerField(default=0)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    indicator = models.CharField(
        _("indicator code"),
        max_length=60,
        blank=True,
        help_text=_("Code in the indicator catalog; empty when no rule maps the words."),
    )
    measure = models.CharField(_("what it measures"), max_length=200, blank=True)
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Money in 万元."),
    )
    value_max = models.DecimalField(
        _("upper value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    growth_pct = models.DecimalField(
        _("growth (%)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    qualifier = models.CharField(_("qualifier"), max_length=10, blank=True)
    period = models.CharField(_("period"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    proposed_data = models.JSONField(
        _("as proposed"),
        default=dict,
        blank=True,
        help_text=_("The figure as the reader proposed it, kept when a reviewer corrects it."),
    )
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    conflicts_with = models.ForeignKey(
        "self",
        verbose_name=_("contradicts"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contradicted_by",
        help_text=_(
            "An accepted figure for the same indicator, subject and period with a different value."
        ),
    )

    outcome = models.CharField(
        _("written to"),
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        help_text=_("What accepting the statement wrote."),
    )
    target = models.ForeignKey(
        "indicators.Target",
        verbose_name=_("target"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_statements",
        help_text=_("The target accepting this statement created or updated."),
    )
    indicator_value = models.ForeignKey(
        "indicators.IndicatorValue",
        verbose_name=_("indicator value"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_statements",
        help_text=_("The indicator value accepting this statement created or updated."),
    )
    goal = models.ForeignKey(
        "tasks.Goal",
        verbose_name=_("campaign goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_statements",
        help_text=_("The campaign goal accepting this statement updated."),
    )

    zone_lookup = "document__zone"
    # 三员分立: accepting or rejecting a proposed figure is a decision on data; the system
    # administrator reads but does not review.
    role_actions = {
        "admin": frozenset({"view"}),
        "staff": frozenset({"view", "add", "change", "delete"}),
        "liaison": frozenset({"view"}),
        "leader": frozenset({"view"}),
    }
    filter_exempt = (
        "position",
        "context",
        "clause_start",
        "number_start",
        "number_end",
        "value_max",
        "proposed_data",
        "fingerprint",
        "review_note",
        "target",
        "indicator_value",
        "goal",
    )

    class Meta:
        ordering = ["document", "position", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [
            models.Index(fields=["indicator", "subject", "period"], name="intake_stmt_key"),
        ]

    def __str__(self) -> str:
        what = self.indicator or self.measure or "?"
        if self.value is not None:
            return f"{what} {self.value_display()}"
        return f"{what} {self.growth_pct}%"

    def value_display(self) -> str:
        if self.value is None:
            return ""
        text = f"{self.value.normalize():f}"
        return f"{self.qualifier}{text}{self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("intake:statement_detail", args=[self.pk])

    @property
    def is_reviewed_fact(self) -> bool:
        return self.state in self.REVIEWED_FACTS

    @property
    def written(self):
        """The record accepting this statement wrote (None: none, or the reviewed fact only)."""
        return self.target or self.indicator_value or self.goal

    def highlighted(self) -> tuple[str, str, str, str, str]:
        """The sentence cut as (before the clause, clause before the number, the number,
        clause after the number, after the clause) for highlighting."""
        text, start = self.context, self.clause_start
        end = start + len(self.sentence)
        ns, ne = self.number_start, self.number_end
        if not (start <= ns <= ne <= len(text)):
            return ("", self.sentence, "", "", "")
        end = max(end, ne)
        return (text[:start], text[start:ns], text[ns:ne], text[ne:end], text[end:])
