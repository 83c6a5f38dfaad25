import mimetypes
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from zoneops.core.access.permissions import CHANGE, VIEW
from zoneops.core.loop import workflows as loop
from zoneops.core.models import Zone
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column, located_export_columns
from zoneops.core.ui.transitions import TransitionDetailView
from zoneops.projects import services
from zoneops.projects.filters import (
    BlockerFilterSet,
    MilestoneFilterSet,
    ProgressNoteFilterSet,
    ProjectFilterSet,
)
from zoneops.projects.forms import (
    BlockerForm,
    MilestoneForm,
    MonthlyForm,
    ProgressNoteForm,
    ProjectForm,
)
from zoneops.projects.imports import DispatchSheetImporter, MonthlyImporter
from zoneops.projects.lights import CSS, LIGHT_CHOICES, RED, YELLOW, LightBadge, reasons
from zoneops.projects.models import (
    Blocker,
    Milestone,
    ProgressNote,
    ProgressPhoto,
    Project,
    Tag,
)

LIGHT_LABELS = dict(LIGHT_CHOICES)


def rate(part, whole):
    if not whole:
        return None
    return round(Decimal(part) * 100 / Decimal(whole), 1)


def project_columns():
    return [
        Column("code", linkify=True),
        Column("name", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("type"),
        Column("stage"),
        Column("total_investment"),
        Column("annual_plan"),
        Column("completed_ytd"),
        Column(
            "completion_rate",
            gettext_lazy("Completion rate (%)"),
            order_by="completed_ytd",
            accessor=lambda p: p.completion_rate,
        ),
        Column("light", gettext_lazy("Light"), order_by="light", accessor=LightBadge),
        Column("leader_name"),
    ]


class ProjectListView(generic.ObjectListView):
    model = Project
    template_name = "projects/project_list.html"
    filterset_class = ProjectFilterSet
    search_fields = ("code", "name", "owner_name", "chain", "leader_name")
    default_ordering = ("zone__path", "code")
    columns = project_columns()

    def base_queryset(self):
        return Project.objects.select_related("zone").with_lights()

    def export(self, qs, columns):
        return super().export(
            qs, [*columns, *sheet_columns(self.model), *located_export_columns(self.model)]
        )


def sheet_columns(model) -> list[Column]:
    """What the dispatch-sheet import needs beside the page's columns, added to the list's
    export so that it comes back in unchanged (the import ignores the computed ones)."""
    names = [
        "owner_name",
        "industry",
        "chain",
        "category",
        "plan_year",
        "completed_month",
        "planned_start",
        "actual_start",
        "planned_production",
        "actual_production",
        "planned_completion",
        "actual_completion",
        "special_team",
        "responsible_unit",
    ]
    columns = [Column(name) for name in names]
    columns.append(
        Column(
            "tags",
            sortable=False,
            accessor=lambda project: "、".join(project.tag_labels()),
        )
    )
    return [column.bind(model) for column in columns]


class LaggingListView(ProjectListView):
    """The lagging list for the dispatch meeting: yellow and red projects with their reasons."""

    template_name = "projects/lagging_list.html"
    default_ordering = ("-light", "zone__path", "code")
    export_name = "lagging-projects"
    paginate_by = 100
    columns = [
        Column("code", linkify=True),
        Column("name", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("stage"),
        Column("leader_name"),
        Column("responsible_unit"),
        Column(
            "light",
            gettext_lazy("Light"),
            order_by="light",
            accessor=lambda p: LIGHT_LABELS[p.light],
        ),
        Column(
            "reasons",
            gettext_lazy("Reasons"),
            sortable=False,
            accessor=lambda p: "; ".join(text for _l, text in reasons(p)),
        ),
    ]

    def base_queryset(self):
        return super().base_queryset().filter(light__gt=0)


class PlanMissingListView(ProjectListView):
    """Live projects without a plan for the current year (本年度计划未下达): the list of the
    staff who set plans. A past year's plan is still judged (at 100 %) until the new one."""

    template_name = "projects/plan_missing_list.html"
    default_ordering = ("zone__path", "code")
    export_name = "projects-without-plan"
    paginate_by = 100
    columns = [
        Column("code", linkify=True),
        Column("name", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("stage"),
        Column("plan_year"),
        Column("annual_plan"),
        Column("completed_ytd"),
        Column("leader_name"),
        Column("responsible_unit"),
        Column("light", gettext_lazy("Light"), order_by="light", accessor=LightBadge),
    ]

    def base_queryset(self):
        return super().base_queryset().filter(plan_missing=True)


class ProjectDetailView(generic.ObjectDetailView):
    model = Project
    template_name = "projects/project_detail.html"
    # Tags are shown as badges beside the details.
    fields = (
        "code",
        "name",
        "zone",
        "owner_name",
        "enterprise",
        "industry",
        "chain",
        "type",
        "category",
        "stage",
        "total_investment",
        "plan_year",
        "annual_plan",
        "completed_ytd",
        "completed_month",
        "planned_start",
        "actual_start",
        "planned_production",
        "actual_production",
        "planned_completion",
        "actual_completion",
        "leader_name",
        "special_team",
        "responsible_unit",
        "longitude",
        "latitude",
        "source",
        "created_at",
        "updated_at",
    )

    def base_queryset(self):
        return Project.objects.select_related("zone", "leader", "enterprise").with_lights()

    def extra_context(self, obj):
        today = timezone.localdate()
        milestones = list(obj.milestones.all())
        blockers = list(obj.blockers.select_related("case", "case__handler"))
        workflow = loop.get_workflow("blocker")
        for blocker in blockers:
            blocker.state_label = workflow.states.get(blocker.case.state, blocker.case.state)
        can_change = Project.objects.restrict(self.request.user, CHANGE).filter(pk=obj.pk).exists()
        return {
            "badge": LightBadge(obj),
            "light_css": CSS[obj.light],
            "tags": obj.tag_labels(),
            "milestones": milestones,
            "today": today,
            "plans": list(obj.annual_plans.all()),
            "comparison": services.replan_comparison(obj),
            "monthly": list(obj.monthly.filter(year=obj.plan_year)),
            "blockers": blockers,
            "notes": list(obj.notes.select_related("author").prefetch_related("photos")[:20]),
            "can_change": can_change,
            "monthly_form": MonthlyForm(
                initial={"year": obj.plan_year, "month": max(today.month - 1, 1)}
            ),
            "timeline": project_timeline(obj, milestones, today),
            "lead": getattr(obj, "lead", None),
        }


def project_timeline(project, milestones, today) -> dict:
    """Gantt rows of one project: its planned and actual spans, then each milestone."""
    rows = [
        {
            "label": str(_("Project")),
            "planned": [project.planned_start, project.planned_completion],
            "actual": [
                project.actual_start,
                project.actual_completion or (today if project.actual_start else None),
            ],
            "points": [],
        }
    ]
    for milestone in milestones:
        points = []
        if milestone.baseline_date:
            points.append({"date": milestone.baseline_date, "kind": "baseline"})
        points.append({"date": milestone.planned_date, "kind": "planned"})
        if milestone.actual_date:
            points.append({"date": milestone.actual_date, "kind": "actual"})
        rows.append(
            {
                "label": milestone.name,
                "planned": [None, None],
                "actual": [None, None],
                "points": points,
                "late": milestone.is_overdue(today),
            }
        )
    return {"today": today, "rows": rows, "labels": timeline_labels()}


def timeline_labels() -> dict:
    return {
        "planned": str(_("Planned")),
        "actual": str(_("Actual")),
        "baseline": str(_("Baseline")),
        "today": str(_("Today")),
    }


class ProjectEditView(generic.ObjectEditView):
    model = Project
    form_class = ProjectForm
    template_name = "core/located_edit.html"


class ProjectDeleteView(generic.ObjectDeleteView):
    model = Project


class ProjectImportView(generic.BulkImportView):
    model = Project
    importer_class = DispatchSheetImporter
    template_name = "projects/project_import.html"


class MonthlyImportView(generic.BulkImportView):
    model = Project
    importer_class = MonthlyImporter
    template_name = "projects/monthly_import.html"

    def check_role(self):
        from zoneops.core.access.permissions import role_may

        if not role_may(self.request.user, CHANGE, Project):
            raise PermissionDenied(_("Your role may not import records here."))


def _changeable_project(request, pk):
    return get_object_or_404(Project.objects.restrict(request.user, CHANGE), pk=pk)


@login_required
@require_POST
def set_baseline(request, pk):
    project = _changeable_project(request, pk)
    services.set_baseline(project, acting_user=request.user)
    messages.success(request, _("The current plan is kept as the baseline."))
    return HttpResponseRedirect(project.get_absolute_url())


@login_required
@require_POST
def record_monthly(request, pk):
    project = _changeable_project(request, pk)
    form = MonthlyForm(request.POST)
    if form.is_valid():
        try:
            services.record_monthly(project, **form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(project.get_absolute_url())


# Board, timeline and aggregates ------------------------------------------------------------------


class ZoneScopedPage(LoginRequiredMixin, View):
    """A page over the projects a user sees, narrowed by the project filters (zone, year …)."""

    def projects(self):
        qs = Project.objects.restrict(self.request.user, VIEW)
        filterset = ProjectFilterSet(self.request.GET, queryset=qs, request=self.request)
        return (filterset.qs if filterset.is_valid() else qs.none()), filterset


class BoardView(ZoneScopedPage):
    """挂图作战: projects grouped by stage (columns) and light (rows within), with counts."""

    per_cell = 12

    def get(self, request):
        qs, filterset = self.projects()
        rows = (
            qs.with_lights()
            .order_by("-light", "-total_investment", "code")
            .values_list("pk", "code", "name", "stage", "light", "total_investment")
        )
        cells: dict[tuple[str, int], list] = defaultdict(list)
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for pk, code, name, stage, light, total in rows:
            counts[(stage, light)] += 1
            if len(cells[(stage, light)]) < self.per_cell:
                cells[(stage, light)].append({"pk": pk, "code": code, "name": name, "total": total})
        base = request.GET.copy()
        columns = []
        for stage, stage_label in Project.Stage.choices:
            groups = []
            for light in (RED, YELLOW, 0):
                query = base.copy()
                query.setlist("stage", [stage])
                query.setlist("light", [str(light)])
                groups.append(
                    {
                        "light": light,
                        "label": LIGHT_LABELS[light],
                        "css": CSS[light],
                        "count": counts[(stage, light)],
                        "cards": cells[(stage, light)],
                        "more": counts[(stage, light)] - len(cells[(stage, light)]),
                        "url": f"{reverse('projects:project_list')}?{query.urlencode()}",
                    }
                )
            columns.append(
                {
                    "stage": stage,
                    "label": stage_label,
                    "count": sum(g["count"] for g in groups),
                    "groups": groups,
                }
            )
        totals = {
            light: sum(counts[(s, light)] for s in Project.Stage.values) for light in (0, 1, 2)
        }
        return render(
            request,
            "projects/board.html",
            {
                "columns": columns,
                "filterset": filterset,
                "totals": [
                    (LIGHT_LABELS[k], CSS[k], v) for k, v in sorted(totals.items(), reverse=True)
                ],
                "total": sum(totals.values()),
            },
        )


class TimelineView(ZoneScopedPage):
    """The Gantt chart across a zone's projects: planned and actual spans, milestones."""

    paginate_by = 40

    def get(self, request):
        qs, filterset = self.projects()
        qs = qs.order_by("planned_start", "code")
        page = Paginator(qs, self.paginate_by).get_page(request.GET.get("page"))
        projects = list(page.object_list)
        by_project = defaultdict(list)
        for milestone in Milestone.objects.filter(project__in=[p.pk for p in projects]):
            by_project[milestone.project_id].append(milestone)
        today = timezone.localdate()
        rows = []
        for project in projects:
            points = []
            for milestone in by_project[project.pk]:
                kind = "actual" if milestone.actual_date else "planned"
                points.append(
                    {
                        "date": milestone.actual_date or milestone.planned_date,
                        "kind": "late" if milestone.is_overdue(today) else kind,
                        "name": milestone.name,
                    }
                )
            rows.append(
                {
                    "label": f"{project.code} {project.name}"[:40],
                    "url": project.get_absolute_url(),
                    "planned": [project.planned_start, project.planned_completion],
                    "actual": [
                        project.actual_start,
                        project.actual_completion or (today if project.actual_start else None),
                    ],
                    "points": points,
                }
            )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "projects/timeline.html",
            {
                "filterset": filterset,
                "page": page,
                "query_string": query.urlencode(),
                "timeline": {"today": today, "rows": rows, "labels": timeline_labels()},
            },
        )


STARTED = Q(stage__in=("started", "in_production", "completed"))
PRODUCING = Q(stage__in=("in_production", "completed"))
AMOUNTS = {
    "count": Count("pk"),
    "total": Sum("total_investment"),
    "plan": Sum("annual_plan"),
    "done": Sum("completed_ytd"),
    "started": Count("pk", filter=STARTED),
    "producing": Count("pk", filter=PRODUCING),
}


def summarise(values: dict) -> dict:
    values = {k: (v or 0) for k, v in values.items()}
    return values | {
        "done_rate": rate(values["done"], values["plan"]),
        "start_rate": rate(values["started"], values["count"]),
        "production_rate": rate(values["producing"], values["count"]),
        "total_yi": (Decimal(values["total"]) / 10000).quantize(Decimal("0.01")),
        "plan_yi": (Decimal(values["plan"]) / 10000).quantize(Decimal("0.01")),
    }


def aggregates(qs, root: Zone | None) -> dict:
    """Totals of a project set: overall, per zone and sub-zone, by type, category, chain, tag."""
    overall = summarise(qs.aggregate(**AMOUNTS))
    by_zone_rows = list(qs.values("zone_id", "zone__path").annotate(**AMOUNTS))
    zone_ids = set()
    for row in by_zone_rows:
        zone_ids |= {int(part) for part in row["zone__path"].strip("/").split("/")}
    zones = Zone.objects.in_bulk(zone_ids)
    depth = root.depth if root is not None else None
    if depth is None and zones:
        # Without a chosen zone: the shallowest zones that hold projects are the top level.
        depth = min(zones[row["zone_id"]].depth for row in by_zone_rows) if by_zone_rows else 0
    per_zone: dict[int, dict] = {}
    for row in by_zone_rows:
        path = [int(part) for part in row["zone__path"].strip("/").split("/")]
        # Count each project for its zone's ancestor at the shown level and the level below.
        for level in (depth, depth + 1):
            if level < len(path):
                target = path[level]
                bucket = per_zone.setdefault(target, {k: 0 for k in AMOUNTS})
                for key in AMOUNTS:
                    bucket[key] += row[key] or 0
    zone_rows = [
        {"zone": zones[zid], **summarise(values)}
        for zid, values in sorted(per_zone.items(), key=lambda item: zones[item[0]].path)
        if zid in zones
    ]

    def grouped(field, labels=None):
        rows = []
        for row in qs.values(field).annotate(**AMOUNTS).order_by(field):
            key = row.pop(field)
            label = labels.get(key, key) if labels else key
            rows.append({"label": label or "—", **summarise(row)})
        return rows

    # One query for every tag: each tag's figures are aggregates filtered by that tag.
    per_tag = {}
    for tag, _label in Tag.choices:
        tagged = Q(tags__contains=f",{tag},")
        per_tag |= {
            f"{tag}__count": Count("pk", filter=tagged),
            f"{tag}__total": Sum("total_investment", filter=tagged),
            f"{tag}__plan": Sum("annual_plan", filter=tagged),
            f"{tag}__done": Sum("completed_ytd", filter=tagged),
            f"{tag}__started": Count("pk", filter=tagged & STARTED),
            f"{tag}__producing": Count("pk", filter=tagged & PRODUCING),
        }
    tag_values = qs.aggregate(**per_tag)
    tag_rows = [
        {
            "label": label,
            **summarise({key: tag_values[f"{tag}__{key}"] for key in AMOUNTS}),
        }
        for tag, label in Tag.choices
    ]
    return {
        "overall": overall,
        "zones": zone_rows,
        "types": grouped("type", dict(Project.Type.choices)),
        "categories": grouped("category", dict(Project.Category.choices)),
        "chains": grouped("chain"),
        "tags": tag_rows,
    }


class StatsView(ZoneScopedPage):
    def get(self, request):
        qs, filterset = self.projects()
        root = filterset.form.cleaned_data.get("within") if filterset.is_valid() else None
        return render(
            request,
            "projects/stats.html",
            {"filterset": filterset, "root": root, **aggregates(qs, root)},
        )


# Milestones, blockers, progress notes ------------------------------------------------------


class MilestoneListView(generic.ObjectListView):
    model = Milestone
    queryset = Milestone.objects.select_related("project", "project__zone")
    filterset_class = MilestoneFilterSet
    search_fields = ("name", "project__code", "project__name")
    default_ordering = ("planned_date", "id")
    columns = [
        Column("name", linkify=True, accessor=str),
        Column("project__name", gettext_lazy("Project"), order_by="project__code"),
        Column("project__zone__name", gettext_lazy("Zone"), order_by="project__zone__path"),
        Column("baseline_date"),
        Column("planned_date"),
        Column("actual_date"),
        Column(
            "days_moved",
            gettext_lazy("Moved (days)"),
            sortable=False,
            accessor=lambda m: m.days_moved,
        ),
    ]


class MilestoneDetailView(generic.ObjectDetailView):
    model = Milestone
    queryset = Milestone.objects.select_related("project")


class MilestoneEditView(generic.ObjectEditView):
    model = Milestone
    form_class = MilestoneForm

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = {}
        if instance is None and request.GET.get("project"):
            initial["project"] = request.GET["project"]
        return self.render_form(
            self.form_class(instance=instance, user=request.user, initial=initial), instance
        )


class MilestoneDeleteView(generic.ObjectDeleteView):
    model = Milestone


def blocker_state(blocker) -> str:
    workflow = loop.get_workflow(blocker.case.kind)
    return str(workflow.states.get(blocker.case.state, blocker.case.state))


class BlockerListView(generic.ObjectListView):
    model = Blocker
    queryset = Blocker.objects.select_related(
        "project", "project__zone", "case", "case__handler", "case__department"
    )
    filterset_class = BlockerFilterSet
    search_fields = ("description", "project__code", "project__name")
    default_ordering = ("case__due_date", "id")
    columns = [
        Column(
            "title",
            gettext_lazy("Blocker"),
            linkify=True,
            order_by="kind",
            accessor=lambda b: str(b),
        ),
        Column("project__name", gettext_lazy("Project"), order_by="project__code"),
        Column("project__zone__name", gettext_lazy("Zone"), order_by="project__zone__path"),
        Column("state", gettext_lazy("State"), order_by="case__state", accessor=blocker_state),
        Column("case__handler", gettext_lazy("Handler"), order_by="case__handler__username"),
        Column("case__due_date", gettext_lazy("Due date"), deadline=True),
        Column(
            "case__escalation",
            gettext_lazy("Escalation"),
            accessor=lambda b: b.case.get_escalation_now_display(),
        ),
        Column("project__leader_name", gettext_lazy("Responsible leader")),
    ]


class BlockerDetailView(TransitionDetailView):
    model = Blocker
    template_name = "projects/blocker_detail.html"
    queryset = Blocker.objects.select_related(
        "project", "project__zone", "case", "case__handler", "case__department"
    )
    fields = ("project", "kind", "description", "source", "created_at", "updated_at")

    def extra_context(self, obj):
        workflow = loop.get_workflow(obj.case.kind)
        case = obj.case
        today = timezone.localdate()
        escalated = case.state == "escalated" or case.escalation >= case.Escalation.LEADER
        return {
            "case": case,
            "state_label": workflow.states.get(case.state, case.state),
            "transitions": workflow.available(case.state),
            "events": case.events.select_related("actor"),
            "transition_form": self.transition_form(obj),
            "overdue": case.is_open and case.paused_on is None and case.due_date < today,
            "escalated_to": obj.project.leader_name if escalated else "",
        }

    def transition(self, blocker, name, **kwargs):
        return services.blocker_transition(blocker, name, **kwargs)


class BlockerEditView(MilestoneEditView):
    model = Blocker
    form_class = BlockerForm


class ProgressNoteListView(generic.ObjectListView):
    model = ProgressNote
    queryset = ProgressNote.objects.select_related("project", "project__zone", "author")
    filterset_class = ProgressNoteFilterSet
    search_fields = ("text", "project__code", "project__name")
    default_ordering = ("-date", "-id")
    columns = [
        Column("date", gettext_lazy("Progress note"), linkify=True, accessor=str),
        Column("project__name", gettext_lazy("Project"), order_by="project__code"),
        Column("project__zone__name", gettext_lazy("Zone"), order_by="project__zone__path"),
        Column("text", sortable=False, accessor=lambda n: n.text[:60]),
        Column("author", order_by="author__username"),
    ]


class ProgressNoteDetailView(generic.ObjectDetailView):
    model = ProgressNote
    template_name = "projects/progressnote_detail.html"
    queryset = ProgressNote.objects.select_related("project", "author")
    fields = ("project", "date", "text", "author", "source", "created_at")

    def extra_context(self, obj):
        return {"photos": list(obj.photos.all())}


class ProgressNoteEditView(MilestoneEditView):
    model = ProgressNote
    form_class = ProgressNoteForm


class ProgressNoteDeleteView(generic.ObjectDeleteView):
    model = ProgressNote


@login_required
def photo(request, pk):
    """A progress photo, for users who may see its project (never from a public folder)."""
    item = get_object_or_404(ProgressPhoto.objects.restrict(request.user, VIEW), pk=pk)
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=item.content_type or mimetypes.guess_type(item.image.name)[0]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# The zone map ----------------------------------------------------------------------------------

LIGHT_COLOURS = {0: "#198754", 1: "#ffc107", 2: "#dc3545"}
TIER_COLOURS = ["#6c757d", "#0dcaf0", "#0d6efd", "#6610f2", "#d63384", "#fd7e14", "#b02a37"]


def _map_zone(request, pk):
    return get_object_or_404(request.user.visible_zones(), pk=pk)


@login_required
def map_index(request):
    """The map of the user's first granted zone (administrators: the first top-level zone)."""
    user = request.user
    chosen = request.GET.get("zone", "")
    if chosen.isdigit():
        zones = user.visible_zones().filter(pk=chosen)
    elif user.is_zone_admin:
        zones = Zone.objects.filter(parent=None)
    else:
        zones = user.zones.all()
    zone = zones.order_by("path").first()
    if zone is None:
        raise Http404
    # Changing the zone keeps the filters chosen on the map.
    kept = request.GET.copy()
    kept.pop("zone", None)
    query = kept.urlencode()
    return HttpResponseRedirect(
        reverse("projects:map", args=[zone.pk]) + (f"?{query}" if query else "")
    )


@login_required
def map_page(request, pk):
    from zoneops.enterprises.models import Tier
    from zoneops.projects import maps

    zone = _map_zone(request, pk)
    project_filters, enterprise_filters = maps.filtersets(request, zone)
    query = request.GET.urlencode()
    legend = {
        "lights": [
            {"value": value, "label": str(label), "color": LIGHT_COLOURS[value]}
            for value, label in LIGHT_CHOICES
        ],
        "tiers": [{"value": 0, "label": str(_("No tier")), "color": TIER_COLOURS[0]}]
        + [
            {"value": rank, "label": str(label), "color": TIER_COLOURS[rank]}
            for rank, (_value, label) in enumerate(Tier.choices, start=1)
        ],
        "projects": str(_("Projects")),
        "enterprises": str(_("Enterprises")),
        "investment": str(_("Total investment (10k yuan)")),
    }
    tiles = tile_layer()
    response = render(
        request,
        "projects/map.html",
        {
            "zone": zone,
            "tiles": tiles,
            "project_filters": project_filters,
            "enterprise_filters": enterprise_filters,
            "data_url": reverse("projects:map_data", args=[zone.pk])
            + (f"?{query}" if query else ""),
            "boundary_url": f"{reverse('core:zone_boundary')}?zone={zone.pk}&children=1",
            "card_url": reverse("projects:map_card"),
            "legend": legend,
            "zones": request.user.visible_zones().order_by("path").only("pk", "name", "depth"),
            "kept_filters": [
                (name, value)
                for name, values in request.GET.lists()
                if name != "zone"
                for value in values
            ],
        },
    )
    if tiles:
        # This page alone may load images from the tile service.
        from zoneops.core.accounts.security import SecurityHeadersMiddleware

        policy = SecurityHeadersMiddleware.POLICY.replace(
            "img-src 'self' data: blob:", f"img-src 'self' data: blob: {' '.join(tiles['origins'])}"
        )
        response["Content-Security-Policy"] = policy
    return response


def tile_layer() -> dict | None:
    """The configured base layer (``ZONEOPS_MAP_TILE_URL``), or None: the map then shows the
    zone's boundary on a plain ground."""
    from urllib.parse import urlsplit

    from django.conf import settings

    template = getattr(settings, "ZONEOPS_MAP_TILE_URL", "")
    if not template:
        return None
    subdomains = getattr(settings, "ZONEOPS_MAP_TILE_SUBDOMAINS", "") or ""
    origins = set()
    for sub in subdomains or [""]:
        parts = urlsplit(template.replace("{s}", sub))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return {
        "url": template,
        "subdomains": subdomains,
        "attribution": getattr(settings, "ZONEOPS_MAP_TILE_ATTRIBUTION", ""),
        "max_zoom": int(getattr(settings, "ZONEOPS_MAP_TILE_MAX_ZOOM", 18)),
        "origins": sorted(origins),
    }


@login_required
def map_data(request, pk):
    from django.http import JsonResponse

    from zoneops.projects import maps

    zone = _map_zone(request, pk)
    return JsonResponse(maps.points(request, zone), json_dumps_params={"separators": (",", ":")})


@login_required
def map_card(request):
    """One point's card: ``?kind=project|enterprise&id=…``, for records the user sees."""
    from django.http import JsonResponse

    from zoneops.enterprises import services as enterprise_services
    from zoneops.enterprises.models import Enterprise, Tier

    kind, pk = request.GET.get("kind"), request.GET.get("id", "")
    if not pk.isdigit():
        raise Http404
    if kind == "project":
        project = get_object_or_404(
            Project.objects.restrict(request.user, VIEW).select_related("zone").with_lights(),
            pk=pk,
        )
        return JsonResponse(
            {
                "title": str(project),
                "zone": project.zone.name,
                "badge": LIGHT_LABELS[project.light],
                "color": LIGHT_COLOURS[project.light],
                "lines": [
                    _("Stage") + f": {project.get_stage_display()}",
                    _("Total investment (10k yuan)") + f": {project.total_investment}",
                    *[text for _level, text in reasons(project)],
                ],
                "url": project.get_absolute_url(),
            }
        )
    if kind == "enterprise":
        enterprise = get_object_or_404(
            Enterprise.objects.restrict(request.user, VIEW).select_related("zone"), pk=pk
        )
        tier = enterprise_services.tier_of(enterprise)
        rank = list(Tier.values).index(tier) + 1 if tier else 0
        return JsonResponse(
            {
                "title": enterprise.name,
                "zone": enterprise.zone.name,
                "badge": str(dict(Tier.choices)[tier]) if tier else str(_("No tier")),
                "color": TIER_COLOURS[rank],
                "lines": [
                    _("Status") + f": {enterprise.get_status_display()}",
                    enterprise.address,
                ],
                "url": enterprise.get_absolute_url(),
            }
        )
    raise Http404
