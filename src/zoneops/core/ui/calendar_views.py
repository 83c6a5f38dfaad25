"""The 工作日历 pages: every year with its source, a year's month grid, and entering a notice."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.roles import Role
from zoneops.core.accounts.security import oversight_only
from zoneops.core.calendar import services as calendar_services
from zoneops.core.calendar import workdays as calendar
from zoneops.core.calendar.models import DeadlineChange, HolidayArrangement
from zoneops.core.calendar.notice import parse_notice

MAX_FILE_BYTES = 200_000  # a year's arrangement is a few dozen lines


class ArrangementForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the notice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control"}),
        help_text=gettext_lazy(
            "Paste the whole notice (国务院办公厅关于YYYY年部分节假日安排的通知), items 一、… 七、"
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("or a CSV/.xlsx file (date, kind, name)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )

    # The days read from an uploaded file, carried from the preview to the confirmation.
    days_csv = forms.CharField(required=False, widget=forms.HiddenInput)

    def days(self, year: int) -> list[calendar.ArrangedDay]:
        """The days the form gives, checked; ValidationError lists every line's reason."""
        text, upload = self.cleaned_data.get("text", "").strip(), self.cleaned_data.get("file")
        carried = self.cleaned_data.get("days_csv", "")
        if upload is None and carried:
            upload = SimpleUploadedFile("days.csv", carried.encode())
        try:
            if upload is not None:
                if upload.size > MAX_FILE_BYTES:
                    raise calendar.ArrangementError([_("The file is too large for a calendar.")])
                days = calendar.read_days_file(upload.read(), upload.name)
                others = sorted({d.year for d in days if d.year != year})
                if others:
                    raise calendar.ArrangementError(
                        [
                            _("The file holds days of {others}, not only of {year}.").format(
                                others=", ".join(map(str, others)), year=year
                            )
                        ]
                    )
            elif text:
                days = parse_notice(text, year)
            else:
                raise calendar.ArrangementError([_("Paste the notice or choose a file.")])
            calendar.validate_arrangement(year, days)
        except calendar.ArrangementError as exc:
            raise ValidationError(exc.errors) from None
        return days


def _may_view(user) -> None:
    if oversight_only(user):
        raise PermissionDenied(_("The work calendar is not part of your duties."))


def _may_enter(user) -> bool:
    return user.role == Role.ADMIN


@login_required
def calendar_index(request):
    _may_view(request.user)
    this_year = timezone.localdate().year
    entered = {a.year: a for a in HolidayArrangement.objects.select_related("entered_by")}
    years = [
        {"year": y, "source": calendar.year_source(y), "arrangement": entered.get(y)}
        for y in sorted({*range(this_year - 3, this_year + 4), *entered}, reverse=True)
    ]
    return render(
        request,
        "core/calendar_index.html",
        {"years": years, "may_enter": _may_enter(request.user), "this_year": this_year},
    )


@login_required
def calendar_year(request, year: int):
    _may_view(request.user)
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        raise Http404(_("The work calendar covers 2004–2100."))
    may_enter = _may_enter(request.user)
    form = ArrangementForm()
    preview = None
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied(_("Only the system administrator enters the work calendar."))
        form = ArrangementForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                days = form.days(year)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if request.POST.get("action") == "save":
                    return _save(request, year, days, form.cleaned_data.get("text", ""))
                if form.cleaned_data.get("file") is not None or form.cleaned_data.get("days_csv"):
                    form = ArrangementForm(
                        initial={"days_csv": calendar.days_csv(days), "text": ""}
                    )
                preview = {
                    "days": sorted(days, key=lambda d: d.day),
                    "differences": calendar.differences(year, days),
                }
    months = [{"month": m, "weeks": calendar.month_grid(year, m)} for m in range(1, 13)]
    changes = DeadlineChange.objects.filter(arrangement__year=year).count()
    return render(
        request,
        "core/calendar_year.html",
        {
            "year": year,
            "source": calendar.year_source(year),
            "arrangement": HolidayArrangement.objects.filter(year=year).first(),
            "months": months,
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "form": form,
            "preview": preview,
            "may_enter": may_enter,
            "changes": changes,
        },
    )


def _save(request, year: int, days, text: str):
    try:
        queued = calendar_services.start_holiday_arrangement(
            year, days, acting_user=request.user, text=text
        )
    except (ValidationError, PermissionDenied, calendar.ArrangementError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("core:calendar_year", args=[year]))
    if queued is not None:
        # Saved and every open deadline recomputed by a job: its page shows the progress.
        return HttpResponseRedirect(queued[0].get_absolute_url())
    try:
        arrangement, changes = calendar_services.enter_holiday_arrangement(
            year, days, acting_user=request.user, text=text
        )
    except (ValidationError, PermissionDenied, calendar.ArrangementError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("core:calendar_year", args=[year]))
    messages.success(
        request,
        _("The {year} arrangement is saved; {count} open deadlines moved.").format(
            year=year, count=len(changes)
        ),
    )
    return HttpResponseRedirect(reverse("core:calendar_year", args=[arrangement.year]))


@login_required
def deadline_changes(request):
    """The deadlines moved by entered arrangements, in the zones the user sees."""
    _may_view(request.user)
    rows = DeadlineChange.objects.select_related("arrangement", "zone", "handler", "content_type")
    if not request.user.is_zone_admin:
        rows = rows.filter(zone__in=request.user.visible_zones())
    arrangement = request.GET.get("arrangement", "")
    if arrangement.isdigit() and len(arrangement) < 10:
        rows = rows.filter(arrangement_id=int(arrangement))
    if request.GET.get("mine"):
        rows = rows.filter(handler=request.user)
    page = Paginator(rows.order_by("-time", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "core/deadline_changes.html", {"page": page})
