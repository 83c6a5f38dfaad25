from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zoneops.core import generic, loop, services
from zoneops.core.filters import (
    DepartmentFilterSet,
    LoopCaseFilterSet,
    ObjectChangeFilterSet,
    ZoneFilterSet,
)
from zoneops.core.forms import DepartmentForm, ZoneForm
from zoneops.core.imports import ModelImporter
from zoneops.core.models import Department, LoopCase, ObjectChange, User, Zone
from zoneops.core.tables import Column


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    user = request.user
    granted = (
        user.zones.all() if not user.is_zone_admin else Zone.objects.filter(parent__isnull=True)
    )
    visible = user.visible_zones().select_related("parent")
    return render(
        request,
        "core/home.html",
        {"granted": granted, "visible": visible, "visible_count": visible.count()},
    )


# Zones -------------------------------------------------------------------------------------


class ZoneListView(generic.ObjectListView):
    model = Zone
    queryset = Zone.objects.select_related("parent")
    filterset_class = ZoneFilterSet
    search_fields = ("code", "name", "division_code")
    default_ordering = ("path",)
    columns = [
        Column("code", linkify=True),
        Column("name", linkify=True),
        Column("kind"),
        Column("parent__name", gettext_lazy("Parent zone"), order_by="parent__name"),
        Column("division_code"),
        Column("depth", gettext_lazy("Level"), order_by="depth", accessor=lambda z: z.depth + 1),
        Column("source", sortable=False),
    ]


class ZoneDetailView(generic.ObjectDetailView):
    model = Zone
    template_name = "core/zone_detail.html"
    queryset = Zone.objects.select_related("parent")
    fields = (
        "code",
        "name",
        "kind",
        "parent",
        "division_code",
        "source",
        "created_at",
        "updated_at",
    )

    def extra_context(self, obj):
        visible = self.request.user.visible_zones()
        return {
            "children": obj.children.filter(pk__in=visible.values("pk")),
            "ancestors": [z for z in obj.ancestors() if visible.filter(pk=z.pk).exists()],
            "departments": obj.departments.all(),
        }


class ZoneEditView(generic.ObjectEditView):
    model = Zone
    form_class = ZoneForm


class ZoneDeleteView(generic.ObjectDeleteView):
    model = Zone


class ZoneImporter(ModelImporter):
    model = Zone
    form_class = ZoneForm
    key_field = "code"


class ZoneImportView(generic.BulkImportView):
    model = Zone
    importer_class = ZoneImporter


# Departments --------------------------------------------------------------------------------


class DepartmentListView(generic.ObjectListView):
    model = Department
    queryset = Department.objects.select_related("zone")
    filterset_class = DepartmentFilterSet
    search_fields = ("name", "code", "zone__name")
    default_ordering = ("zone__path", "name")
    columns = [
        Column("name", linkify=True),
        Column("code"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
    ]


class DepartmentDetailView(generic.ObjectDetailView):
    model = Department
    queryset = Department.objects.select_related("zone")


class DepartmentEditView(generic.ObjectEditView):
    model = Department
    form_class = DepartmentForm


class DepartmentDeleteView(generic.ObjectDeleteView):
    model = Department


class DepartmentImporter(ModelImporter):
    model = Department
    form_class = DepartmentForm


class DepartmentImportView(generic.BulkImportView):
    model = Department
    importer_class = DepartmentImporter


# Audit trail ----------------------------------------------------------------------------------


class ObjectChangeListView(generic.ObjectListView):
    model = ObjectChange
    # Object types come from ContentType's own cache (a handful of rows): no join, and no
    # ContentType instance per row in an export of 100,000.
    queryset = ObjectChange.objects.all()
    filterset_class = ObjectChangeFilterSet
    search_fields = ("object_repr", "user_name")
    default_ordering = ("-time", "-id")
    export_name = "audit"
    columns = [
        Column("time", linkify=True),
        Column("user_name"),
        Column("action"),
        Column(
            "content_type",
            gettext_lazy("Object type"),
            order_by="content_type__model",
            accessor=lambda c: ContentType.objects.get_for_id(c.content_type_id).name,
            depends_on="content_type_id",
        ),
        Column("object_repr"),
        Column(
            "changes",
            gettext_lazy("Fields"),
            sortable=False,
            accessor=lambda c: "、".join(c.changes),
        ),
        Column("request_id", sortable=False),
    ]

    def restricted(self, action="view"):
        if not self.request.user.is_zone_admin:
            raise PermissionDenied(_("Only administrators may read the audit log."))
        return super().restricted(action)


class ObjectChangeDetailView(generic.ObjectDetailView):
    model = ObjectChange
    template_name = "core/objectchange_detail.html"
    fields = (
        "time",
        "user_name",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "request_id",
    )


# Closed-loop cases ------------------------------------------------------------------------------


class LoopCaseListView(generic.ObjectListView):
    model = LoopCase
    queryset = LoopCase.objects.select_related("zone", "department", "handler")
    filterset_class = LoopCaseFilterSet
    search_fields = ("title",)
    default_ordering = ("due_date", "id")
    columns = [
        Column("title", linkify=True),
        Column("kind"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("state", accessor=lambda c: loop.get_workflow(c.kind).states.get(c.state, c.state)),
        Column("department__name", gettext_lazy("Department")),
        Column("handler", order_by="handler__username"),
        Column("due_date"),
        Column("escalation"),
    ]


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=gettext_lazy("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.none(), required=False
    )
    handler = forms.ModelChoiceField(
        label=gettext_lazy("handler"), queryset=User.objects.none(), required=False
    )
    extra_working_days = forms.IntegerField(
        label=gettext_lazy("extra working days"), required=False, min_value=1, max_value=60
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        ancestors = [int(p) for p in case.zone.path.strip("/").split("/")]
        self.fields["department"].queryset = Department.objects.filter(zone_id__in=ancestors)
        self.fields["handler"].queryset = User.objects.filter(is_active=True).order_by("username")


class LoopCaseDetailView(generic.ObjectDetailView):
    model = LoopCase
    template_name = "core/loopcase_detail.html"
    queryset = LoopCase.objects.select_related("zone", "department", "handler")
    fields = (
        "title",
        "kind",
        "zone",
        "state",
        "department",
        "handler",
        "opened_on",
        "limit_working_days",
        "due_date",
        "paused_on",
        "escalation",
        "closed_at",
    )

    def extra_context(self, obj):
        workflow = loop.get_workflow(obj.kind)
        return {
            "workflow": workflow,
            "state_label": workflow.states.get(obj.state, obj.state),
            "transitions": workflow.available(obj.state),
            "events": obj.events.select_related("actor"),
            "transition_form": TransitionForm(case=obj),
        }

    def post(self, request, *args, **kwargs):
        case = self.get_object("view")
        form = TransitionForm(request.POST, case=case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_transition(
                    case,
                    data["transition"],
                    acting_user=request.user,
                    comment=data["comment"],
                    department=data["department"],
                    handler=data["handler"],
                    extra_working_days=data["extra_working_days"],
                )
                messages.success(request, _("Done."))
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, text)
        else:
            messages.error(request, _("Please check the form."))
        return HttpResponseRedirect(case.get_absolute_url())
