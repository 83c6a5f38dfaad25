from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core.access.permissions import CHANGE, role_may
from zoneops.core.files import exports
from zoneops.core.files.imports import ModelImporter
from zoneops.core.rest.params import int_param
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.indicators import selectors, services
from zoneops.indicators.filters import (
    IndicatorFilterSet,
    IndicatorValueFilterSet,
    MonthCloseFilterSet,
    TargetFilterSet,
)
from zoneops.indicators.forms import (
    IndicatorForm,
    IndicatorValueForm,
    MonthApproveForm,
    ProgressForm,
    RankingForm,
    ReopenForm,
    TargetForm,
)
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


def _error_text(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class LinkedListView(generic.ObjectListView):
    """A list page with links to the app's other pages."""

    template_name = "indicators/list.html"

    def extra_context(self):
        return {"list_links": _list_links()}


# Catalog -------------------------------------------------------------------------------------


class IndicatorListView(LinkedListView):
    model = Indicator
    filterset_class = IndicatorFilterSet
    search_fields = ("code", "name")
    default_ordering = ("sort_order", "code")
    columns = [
        Column("code", linkify=True),
        Column("name", linkify=True),
        Column("unit"),
        Column("kind"),
        Column("direction"),
        Column("origin"),
        Column("is_active"),
    ]


class IndicatorDetailView(generic.ObjectDetailView):
    model = Indicator
    template_name = "indicators/indicator_detail.html"

    def extra_context(self, obj):
        values = (
            IndicatorValue.objects.restrict(self.request.user)
            .filter(indicator=obj)
            .select_related("zone")
            .order_by("-year", "-month", "zone__path")[:24]
        )
        targets = (
            Target.objects.restrict(self.request.user)
            .filter(indicator=obj)
            .select_related("zone", "department")
            .order_by("-year", "zone__path")[:24]
        )
        return {"recent_values": values, "recent_targets": targets}


class IndicatorEditView(generic.ObjectEditView):
    model = Indicator
    form_class = IndicatorForm


class IndicatorDeleteView(generic.ObjectDeleteView):
    model = Indicator


# Values --------------------------------------------------------------------------------------


def _period(obj) -> str:
    return f"{obj.year}-{obj.month:02d}"


class IndicatorValueListView(LinkedListView):
    model = IndicatorValue
    queryset = IndicatorValue.objects.select_related("zone", "indicator")
    filterset_class = IndicatorValueFilterSet
    search_fields = ("indicator__name", "indicator__code", "zone__name", "zone__code")
    default_ordering = ("-year", "-month", "zone__path", "indicator__sort_order")
    export_name = "indicator-values"
    columns = [
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("indicator__name", gettext_lazy("Indicator"), order_by="indicator__sort_order"),
        Column("year", gettext_lazy("Period"), accessor=_period, linkify=True),
        Column("value"),
        Column("indicator__unit", gettext_lazy("Unit"), sortable=False),
        Column("yoy"),
        Column("needs_review"),
        Column("source", sortable=False),
    ]


class IndicatorValueDetailView(generic.ObjectDetailView):
    model = IndicatorValue
    queryset = IndicatorValue.objects.select_related("zone", "indicator")
    template_name = "indicators/indicatorvalue_detail.html"

    def extra_context(self, obj):
        return {
            "locked": services.is_locked(obj.zone, obj.year, obj.month),
            "can_review": obj.needs_review
            and IndicatorValue.objects.restrict(self.request.user, "change")
            .filter(pk=obj.pk)
            .exists(),
        }

    def post(self, request, *args, **kwargs):
        obj = self.get_object("change")
        try:
            services.mark_reviewed(
                obj, note=request.POST.get("note", "").strip(), acting_user=request.user
            )
            messages.success(request, _("Marked as checked."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        return HttpResponseRedirect(obj.get_absolute_url())


class IndicatorValueEditView(generic.ObjectEditView):
    model = IndicatorValue
    form_class = IndicatorValueForm


class IndicatorValueDeleteView(generic.ObjectDeleteView):
    model = IndicatorValue

    def get_object_to_delete(self):
        obj = super().get_object_to_delete()
        if services.is_locked(obj.zone, obj.year, obj.month):
            raise PermissionDenied(_("The month is approved and locked."))
        return obj


class IndicatorValueImporter(ModelImporter):
    model = IndicatorValue
    form_class = IndicatorValueForm
    key_fields = ("zone", "indicator", "year", "month")


class IndicatorValueImportView(generic.BulkImportView):
    model = IndicatorValue
    importer_class = IndicatorValueImporter


# Targets -------------------------------------------------------------------------------------


class TargetListView(LinkedListView):
    model = Target
    queryset = Target.objects.select_related("zone", "indicator", "department")
    filterset_class = TargetFilterSet
    search_fields = ("indicator__name", "indicator__code", "zone__name", "zone__code", "note")
    default_ordering = ("-year", "zone__path", "indicator__sort_order")
    columns = [
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("indicator__name", gettext_lazy("Indicator"), order_by="indicator__sort_order"),
        Column("year", linkify=True),
        Column("department__name", gettext_lazy("Department")),
        Column("value"),
        Column("indicator__unit", gettext_lazy("Unit"), sortable=False),
        Column("growth"),
        Column("note", sortable=False),
    ]


class TargetDetailView(generic.ObjectDetailView):
    model = Target
    queryset = Target.objects.select_related("zone", "indicator", "department")
    template_name = "indicators/target_detail.html"

    def extra_context(self, obj):
        return {"decomposition": selectors.decomposition(obj.zone, obj.indicator, obj.year)}


class TargetEditView(generic.ObjectEditView):
    model = Target
    form_class = TargetForm


class TargetDeleteView(generic.ObjectDeleteView):
    model = Target


class TargetImporter(ModelImporter):
    model = Target
    form_class = TargetForm
    key_fields = ("zone", "indicator", "year", "department")


class TargetImportView(generic.BulkImportView):
    model = Target
    importer_class = TargetImporter


# Month approval ------------------------------------------------------------------------------


class MonthCloseListView(LinkedListView):
    model = MonthClose
    queryset = MonthClose.objects.select_related("zone", "approved_by", "reopened_by")
    filterset_class = MonthCloseFilterSet
    search_fields = ("zone__name", "zone__code", "reopen_reason")
    default_ordering = ("-year", "-month", "zone__path")
    columns = [
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path", linkify=True),
        Column("year", gettext_lazy("Period"), accessor=_period, linkify=True),
        Column("is_locked"),
        Column("approved_by", order_by="approved_by__username"),
        Column("approved_at"),
        Column("reopened_by", order_by="reopened_by__username"),
        Column("reopen_reason", sortable=False),
    ]


class MonthCloseDetailView(generic.ObjectDetailView):
    model = MonthClose
    queryset = MonthClose.objects.select_related("zone", "approved_by", "reopened_by")
    template_name = "indicators/monthclose_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "reopen_form": ReopenForm()
            if obj.is_locked and role_may(user, CHANGE, MonthClose)
            else None,
            "progress_url": f"{reverse('indicators:progress')}"
            f"?zone={obj.zone_id}&year={obj.year}&month={obj.month}",
        }

    def post(self, request, *args, **kwargs):
        obj = self.get_object("view")
        form = ReopenForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the month is reopened."))
            return HttpResponseRedirect(obj.get_absolute_url())
        try:
            services.reopen_month(
                zone=obj.zone,
                year=obj.year,
                month=obj.month,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("The month is open for changes again."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return HttpResponseRedirect(obj.get_absolute_url())


class MonthCloseApproveView(generic.ObjectEditView):
    model = MonthClose
    form_class = MonthApproveForm

    def get_instance(self):
        if "pk" in self.kwargs:
            raise PermissionDenied
        return super().get_instance()


# Progress ------------------------------------------------------------------------------------


def _list_links():
    return [
        (_("Indicator catalog"), reverse("indicators:indicator_list")),
        (_("Values"), reverse("indicators:indicatorvalue_list")),
        (_("Targets"), reverse("indicators:target_list")),
        (_("Month approvals"), reverse("indicators:monthclose_list")),
        (_("Progress against targets"), reverse("indicators:progress")),
        (_("Ranking of zones"), reverse("indicators:ranking")),
    ]


PROGRESS_HEADERS = [
    gettext_lazy("Indicator"),
    gettext_lazy("Unit"),
    gettext_lazy("Target"),
    gettext_lazy("Target growth (%)"),
    gettext_lazy("Year to date"),
    gettext_lazy("Yoy (%)"),
    gettext_lazy("Growth against target (points)"),
    gettext_lazy("Reached (%)"),
    gettext_lazy("Year elapsed (%)"),
    gettext_lazy("Ahead / behind (points)"),
    gettext_lazy("Still to deliver"),
    gettext_lazy("Per remaining month"),
    gettext_lazy("Growth the rest of the year needs (%)"),
    gettext_lazy("Q4 must deliver"),
]


def progress_row(p: selectors.Progress) -> list:
    return [
        p.indicator.name,
        p.indicator.unit,
        p.target,
        p.target_growth,
        p.ytd,
        p.yoy,
        p.growth_gap,
        p.completion,
        p.elapsed,
        p.lag,
        p.gap,
        p.per_month_needed,
        p.rest_growth_needed,
        p.q4_must,
    ]


class ProgressView(LoginRequiredMixin, View):
    """A zone's indicators against its targets: 序时进度, the gap, what must still be delivered."""

    template_name = "indicators/progress.html"

    def get(self, request):
        user = request.user
        # A malformed number is a 400, not a failed query or an empty page.
        int_param(request, "zone", minimum=1)
        int_param(request, "year", minimum=1900, maximum=2999)
        int_param(request, "month", minimum=1, maximum=12)
        data = request.GET.copy()
        if not data.get("zone"):
            first = user.zones.first() if not user.is_zone_admin else None
            zone = first or request.user.visible_zones().order_by("depth", "path").first()
            if zone is not None:
                data["zone"] = str(zone.pk)
        if not data.get("year") or not data.get("month"):
            chosen = user.visible_zones().filter(pk=data.get("zone") or None).first()
            year, month = selectors.latest_period(chosen, today=timezone.localdate())
            data.setdefault("year", str(year))
            data.setdefault("month", str(month))
        form = ProgressForm(data, user=user)
        rows, zone = [], None
        if form.is_valid():
            zone = form.cleaned_data["zone"]
            year, month = form.cleaned_data["year"], form.cleaned_data["month"]
            rows = selectors.progress(zone, year, month)
            if request.GET.get("all") != "1":
                rows = [p for p in rows if (p.target, p.ytd, p.yoy) != (None, None, None)]
            if request.GET.get("export") == "xlsx":
                handle = exports.write_xlsx(
                    [str(h) for h in PROGRESS_HEADERS],
                    [progress_row(p) for p in rows],
                    sheet_title=f"{zone.code} {year}-{month:02d}",
                )
                return exports.xlsx_response(
                    handle, f"progress-{zone.code}-{year}-{month:02d}.xlsx"
                )
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "zone": zone,
                "rows": rows,
                "query_string": data.urlencode(),
                "can_recompute": role_may(user, "add", IndicatorValue),
                "locked": zone is not None
                and form.is_valid()
                and services.is_locked(zone, form.cleaned_data["year"], form.cleaned_data["month"]),
            },
        )


class RecomputeView(LoginRequiredMixin, View):
    """POST zone, year, month: compute the values whose origin has a registered computation."""

    def post(self, request):
        form = ProgressForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Please check the form."))
            return HttpResponseRedirect(reverse("indicators:progress"))
        zone, year, month = (form.cleaned_data[k] for k in ("zone", "year", "month"))
        try:
            saved = services.recompute(zone=zone, year=year, month=month, acting_user=request.user)
            messages.success(
                request, _("{count} computed value(s) updated.").format(count=len(saved))
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        return HttpResponseRedirect(
            f"{reverse('indicators:progress')}?zone={zone.pk}&year={year}&month={month}"
        )


class RankingView(LoginRequiredMixin, View):
    """Zones below a parent ranked on one indicator (争先进位), with the change of rank since
    the month before, as a table and a chart."""

    template_name = "indicators/ranking.html"

    def get(self, request):
        user = request.user
        int_param(request, "parent", minimum=1)
        int_param(request, "year", minimum=1900, maximum=2999)
        int_param(request, "month", minimum=1, maximum=12)
        data = request.GET.copy()
        visible = user.visible_zones()
        if not data.get("indicator"):
            data["indicator"] = "gdp"
        indicator = Indicator.objects.filter(code=data["indicator"], is_active=True).first()
        start = selectors.ranking_start(visible, indicator) if indicator else None
        if not data.get("parent"):
            parent_id = start[0] if start and start[0] else None
            if parent_id is None:
                top = visible.order_by("depth", "path").first()
                parent_id = top.pk if top is not None else None
            if parent_id is not None:
                data["parent"] = str(parent_id)
        if not data.get("year") or not data.get("month"):
            if start:
                year, month = start[1], start[2]
            else:
                year, month = selectors.latest_period(None, today=timezone.localdate())
            data.setdefault("year", str(year))
            data.setdefault("month", str(month))
        form = RankingForm(data, user=user)
        rows, chart, previous = [], None, None
        if form.is_valid():
            parent = form.cleaned_data["parent"]
            indicator = form.cleaned_data["indicator"]
            year, month = form.cleaned_data["year"], form.cleaned_data["month"]
            by = form.cleaned_data["by"] or "yoy"
            zones = list(visible.filter(parent=parent).order_by("path"))
            rows = selectors.ranking(zones, indicator, year, month, by=by)
            previous = "{}-{:02d}".format(*selectors.previous_month(year, month))
            chart = ranking_chart(rows, indicator, by)
        return render(
            request,
            self.template_name,
            {"form": form, "rows": rows, "chart": chart, "previous_period": previous},
        )


def ranking_chart(rows: list[dict], indicator: Indicator, by: str) -> dict | None:
    """The ECharts option of a ranking: one horizontal bar per ranked zone, the first on top."""
    ranked = [e for e in rows if e["rank"] is not None]
    if not ranked:
        return None
    label = dict(RankingForm.BY)[by]
    unit = "%" if by in ("yoy", "completion") else indicator.unit
    ranked = list(reversed(ranked))
    return {
        "grid": {"left": 8, "right": 48, "top": 28, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "name": unit},
        "yAxis": {
            "type": "category",
            "data": [f"{e['rank']}. {e['zone'].name}" for e in ranked],
        },
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "data": [float(e["score"]) for e in ranked],
                "label": {"show": True, "position": "right"},
            }
        ],
    }
