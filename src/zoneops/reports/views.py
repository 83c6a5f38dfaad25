from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, role_may
from zoneops.core.ops import rollups as rollup_ops
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.reports import services
from zoneops.reports.filters import DispatchPackFilterSet
from zoneops.reports.forms import DecisionForm, PackForm, PeriodForm, default_period
from zoneops.reports.models import DispatchPack
from zoneops.reports.registry import collect_panels, latest_period

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


DASHBOARD_PERIOD = "zoneops_dashboard_period"


@login_required
def dashboard(request):
    """驾驶舱: every app's figures for one zone (with its sub-zones) or all the user's zones.

    Without a month in the address it opens on the month chosen last (kept in the session), or
    else on the latest month with figures: the current month has none until the figures of
    the month are reported, and an empty cockpit tells nobody anything."""
    data = request.GET.copy()
    chosen = (data.get("period") or "").strip()
    if not chosen:
        probe = PeriodForm(data, user=request.user)
        zone = probe.cleaned_data.get("zone") if probe.is_valid() else None
        zones = zone.subtree() if zone else request.user.visible_zones()
        year, month = (
            _remembered(request)
            or latest_period(zones, today=timezone.localdate())
            or default_period()
        )
        data["period"] = f"{year}-{month:02d}"
    form = PeriodForm(data, user=request.user)
    zone, (year, month) = None, services_period(form)
    if form.is_valid():
        zone = form.cleaned_data["zone"]
        if chosen:
            request.session[DASHBOARD_PERIOD] = f"{year}-{month:02d}"
    zones = zone.subtree() if zone else request.user.visible_zones()
    panels = collect_panels(zones, year, month, request.user)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "zone": zone,
            "year": year,
            "month": month,
            "panels": panels,
            "charts": {f"chart-{slugify(p.key)}": p.chart for p in panels if p.chart},
            # Its own ids beside the period form's (one page, two zone pickers: a label must
            # name one control).
            "pack_form": PackForm(
                initial={"zone": zone, "period": f"{year}-{month:02d}"},
                user=request.user,
                auto_id="pack_%s",
            )
            if role_may(request.user, ADD, DispatchPack)
            else None,
            "may_rebuild_rollups": _may_rebuild(request.user),
        },
    )


def _may_rebuild(user) -> bool:
    try:
        rollup_ops.check_may_rebuild(user)
    except PermissionDenied:
        return False
    return True


@login_required
def rebuild_rollups(request):
    """The administrator's rebuild of the roll-ups (one zone's or every zone's), as a job."""
    if request.method != "POST":
        return redirect("reports:dashboard")
    rollup_ops.check_may_rebuild(request.user)
    zone = None
    if request.POST.get("zone"):
        zone = get_object_or_404(request.user.visible_zones(), pk=request.POST["zone"])
    queued = rollup_ops.start_rebuild(zone=zone, acting_user=request.user)
    if queued is not None:  # the job's page shows the progress
        return redirect(queued[0].get_absolute_url())
    rows = rollup_ops.rebuild(zone=zone, acting_user=request.user)
    from django.contrib import messages

    messages.success(request, _("The roll-ups are rebuilt: {rows} rows.").format(rows=rows))
    return redirect("reports:dashboard")


def _remembered(request) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in request.session.get(DASHBOARD_PERIOD, "").split("-"))
    except ValueError:
        return None
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def services_period(form) -> tuple[int, int]:
    from zoneops.reports.forms import default_period

    if form.is_bound and form.is_valid():
        return form.cleaned_data["period"]
    return default_period()


@login_required
def make_pack(request):
    if request.method != "POST":
        return redirect("reports:dispatchpack_list")
    if not role_may(request.user, ADD, DispatchPack):
        raise PermissionDenied(_("Your role may not make dispatch packs."))
    form = PackForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "reports/pack_form.html", {"form": form}, status=400)
    year, month = form.cleaned_data["period"]
    queued = services.start_pack(
        zone=form.cleaned_data["zone"], year=year, month=month, acting_user=request.user
    )
    if queued is not None:  # made by a job: its page shows the progress, then the files
        return redirect(queued[0].get_absolute_url())
    pack = services.build_pack(
        zone=form.cleaned_data["zone"], year=year, month=month, acting_user=request.user
    )
    return redirect(pack.get_absolute_url())


@login_required
def issue(request, pk: int):
    """Give the pack its 发文字号 (a download before that is a preview without a number)."""
    if request.method != "POST":
        return redirect("reports:dispatchpack_detail", pk=pk)
    pack = get_object_or_404(DispatchPack.objects.restrict(request.user, "view"), pk=pk)
    pack = services.issue_pack(pack, acting_user=request.user)
    from django.contrib import messages

    messages.success(request, _("Issued as {number}.").format(number=pack.document_number))
    return redirect(pack.get_absolute_url())


@login_required
def download(request, pk: int, fmt: str):
    if fmt not in ("docx", "xlsx"):
        raise Http404
    pack = get_object_or_404(DispatchPack.objects.restrict(request.user, "view"), pk=pk)
    from zoneops.core.accounts import security
    from zoneops.core.models import SecurityEvent

    security.log_event(
        SecurityEvent.Type.EXPORT, request, model="reports.DispatchPack", pack=pack.pk
    )
    if fmt == "docx":
        content, content_type = services.render_docx(pack), DOCX
    else:
        content, content_type = services.render_xlsx(pack), XLSX
    response = HttpResponse(content, content_type=content_type)
    filename = f"dispatch-{pack.zone.code}-{pack.period}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DispatchPackListView(generic.ObjectListView):
    model = DispatchPack
    queryset = DispatchPack.objects.select_related("zone", "created_by")
    filterset_class = DispatchPackFilterSet
    search_fields = ("title",)
    default_ordering = ("-year", "-month", "-created_at")
    columns = [
        Column("title", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("period", gettext_lazy("Period"), order_by="year", accessor=lambda p: p.period),
        Column("created_by", order_by="created_by__username"),
        Column("created_at"),
    ]


class DispatchPackDetailView(generic.ObjectDetailView):
    model = DispatchPack
    template_name = "reports/pack_detail.html"
    queryset = DispatchPack.objects.select_related("zone", "created_by")
    fields = (
        "title",
        "zone",
        "year",
        "month",
        "created_by",
        "created_at",
        "document_number",
        "issued_at",
        "issued_by",
    )

    def extra_context(self, obj):
        from zoneops.tasks.models import Task

        return {
            "sections": services.sections_of(obj),
            "decision_form": DecisionForm(zone=obj.zone)
            if role_may(self.request.user, ADD, Task)
            else None,
            "decision_tasks": Task.objects.filter(meeting=obj.title).select_related("case"),
        }


@login_required
def record_decision(request, pk: int):
    """A decision of the meeting becomes a task of the pack's zone in one step."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from zoneops.tasks import services as task_services

    pack = get_object_or_404(DispatchPack.objects.restrict(request.user, "view"), pk=pk)
    form = DecisionForm(request.POST or None, zone=pack.zone)
    if request.method == "POST" and form.is_valid():
        try:
            task = task_services.create_task_from_decision(
                zone=pack.zone,
                decision=form.cleaned_data["decision"],
                deadline=form.cleaned_data["deadline"],
                lead_unit=form.cleaned_data["lead_unit"],
                meeting=pack.title,
                decided_on=timezone.localdate(),
                acting_user=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(
                request, _("The decision is now task “{task}”.").format(task=task.title)
            )
    elif request.method == "POST":
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(pack.get_absolute_url())
