"""The entered holiday notices, their days, and the deadlines they moved."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.zones.models import AuditedMixin, Zone


class HolidayArrangement(AuditedMixin, models.Model):
    """The State Council's notice of one year's holidays
    (国务院办公厅关于YYYY年部分节假日安排的通知), as entered by the
    system administrator. It outranks chinese-calendar's data for that year.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2004), MaxValueValidator(2100)]
    )
    title = models.CharField(_("notice"), max_length=200, blank=True)
    text = models.TextField(_("notice text"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")

    def __str__(self) -> str:
        return self.title or str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("core:calendar_year", args=[self.year])


class CalendarDay(models.Model):
    """One day a notice sets: a day off on a weekday or a 调休 working weekend. A notice may set
    days in the neighbouring year (元旦 2023 began on 2022-12-31), so days are keyed by date and
    remember their notice."""

    arrangement = models.ForeignKey(
        HolidayArrangement, on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=30)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class DeadlineChange(models.Model):
    """A deadline moved because a year's holiday arrangement was entered: the typed event of
    any deadline-bearing record (an appeal's stages, a case, a lead's response times)."""

    arrangement = models.ForeignKey(
        HolidayArrangement,
        verbose_name=_("holiday arrangement"),
        on_delete=models.CASCADE,
        related_name="deadline_changes",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("record"), max_length=200)
    deadline = models.CharField(_("deadline"), max_length=60)
    old_date = models.DateField(_("old date"))
    new_date = models.DateField(_("new date"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.CASCADE
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        indexes = [models.Index(fields=["content_type", "object_id"], name="deadline_change_obj")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.old_date} → {self.new_date}"
