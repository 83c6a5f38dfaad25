from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zoneops.core.access.permissions import VIEW, role_may
from zoneops.core.access.roles import Role
from zoneops.core.accounts import security
from zoneops.core.accounts import services as account_services
from zoneops.core.accounts.models import SecurityEvent, User
from zoneops.core.audit.models import ObjectChange
from zoneops.core.db.router import REPLICA_DB_ALIAS, replica_configured
from zoneops.core.files.imports import ModelImporter
from zoneops.core.loop import services
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCase
from zoneops.core.registries import start_page
from zoneops.core.templatetags.zoneops import changed_field_labels, field_labels
from zoneops.core.ui import generic
from zoneops.core.ui.filters import (
    DepartmentFilterSet,
    LoopCaseFilterSet,
    ObjectChangeFilterSet,
    SecurityEventFilterSet,
    ZoneFilterSet,
)
from zoneops.core.ui.forms import DepartmentForm, ZoneEditForm, ZoneForm
from zoneops.core.ui.tables import Column
from zoneops.core.ui.transitions import TransitionDetailView
from zoneops.core.zones import figures as zone_figures
from zoneops.core.zones import services as zone_services
from zoneops.core.zones.models import Department, Zone


@require_GET
def healthz(request):
    """200 when the database answers: the primary, and the read replica where there is one."""
    aliases = [DEFAULT_DB_ALIAS] + ([REPLICA_DB_ALIAS] if replica_configured() else [])
    for alias in aliases:
        with connections[alias].cursor() as cursor:
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
    sections = []
    if security.oversight_only(user):
        # The security and audit administrators see every zone's trail, not the zone tree.
        granted, visible = Zone.objects.none(), Zone.objects.none()
    else:
        # What the apps contribute (core.registries.start_page): open items, months to
        # approve, recent jobs. Links to the lists: the navigation, without this page.
        sections = start_page.sections_for(user, timezone.localdate())
    return render(
        request,
        "core/home.html",
        {
            "granted": granted,
            "visible": visible,
            "visible_count": visible.count(),
            "sections": sections,
        },
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
    template_name = "core/zone_list.html"

    def extra_context(self):
        """The page's zones as a tree (indented by depth under the shallowest zone shown) with
        every registered figure over the zone and its sub-zones: a parent's subtotal."""
        figures = zone_figures.registered()
        zones = [obj for obj, _cells in self.page_rows]
        totals = zone_figures.subtree_totals(self.request.user, zones) if zones else {}
        top = min((z.depth for z in zones), default=0)
        with_children = set(
            Zone.objects.filter(parent__in=zones).values_list("parent_id", flat=True)
        )
        tree = not self.request.GET.get("sort")
        return {
            "figures": figures,
            "tree": tree,
            "zone_colspan": len(self.columns) + len(figures),
            "zone_rows": [
                {
                    "zone": zone,
                    "cells": cells,
                    "indent": min(zone.depth - top, 5) if tree else 0,
                    "is_parent": zone.pk in with_children,
                    "figures": [(f.label, totals[zone.pk][f.key]) for f in figures],
                }
                for zone, cells in self.page_rows
            ],
        }


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
            "map_url": generic.optional_reverse("projects:map", obj.pk),
            "has_boundary": obj.boundary is not None,
            "children": obj.children.filter(pk__in=visible.values("pk")),
            "ancestors": [z for z in obj.ancestors() if visible.filter(pk=z.pk).exists()],
            "departments": obj.departments.all(),
        }


class TreeAdminOnly:
    """The zone tree's pages (add, edit, delete, import): the system administrator's only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role != Role.ADMIN:
            if "pk" in kwargs:  # as for any record the user may not change
                raise Http404
            raise PermissionDenied(_("Only the system administrator changes the zone tree."))
        return super().dispatch(request, *args, **kwargs)


class ZoneEditView(TreeAdminOnly, generic.ObjectEditView):
    model = Zone
    form_class = ZoneEditForm


def boundary_of(zone: Zone, visible) -> tuple[Zone | None, dict | None]:
    """The zone's own boundary, else that of its nearest ancestor the user sees that has one."""
    if zone.boundary:
        return zone, zone.boundary
    ids = [int(part) for part in zone.path.strip("/").split("/") if part][:-1]
    ancestors = (
        visible.filter(pk__in=ids, boundary__isnull=False)
        .order_by("-depth")
        .only("name", "boundary")
    )
    for ancestor in ancestors:
        if ancestor.boundary:
            return ancestor, ancestor.boundary
    return None, None


@login_required
@require_GET
def zone_boundary(request):
    """``?zone=<id or code>``: the boundary the map picker draws for a zone the user sees;
    with ``&children=1`` the outlines of its sub-zones follow as further features."""
    key = request.GET.get("zone", "").strip()
    visible = request.user.visible_zones()
    zone = None
    if key:
        lookup = {"pk": int(key)} if key.isdigit() else {"code": key}
        zone = visible.filter(**lookup).first()
    if zone is None:
        return JsonResponse({"zone": None, "boundary": None})
    owner, boundary = boundary_of(zone, visible)
    if boundary and request.GET.get("children"):
        # The zone map also outlines the sub-zones (each a region of its own).
        features = list(boundary["features"])
        for child in visible.filter(parent=zone, boundary__isnull=False).order_by("path"):
            for feature in (child.boundary or {}).get("features", []):
                features.append(feature | {"properties": {"name": child.name}})
        boundary = boundary | {"features": features}
    return JsonResponse(
        {"zone": zone.name, "boundary_of": owner.name if owner else None, "boundary": boundary}
    )


class ZoneDeleteView(TreeAdminOnly, generic.ObjectDeleteView):
    model = Zone

    def post(self, request, *args, **kwargs):
        zone = self.get_object_to_delete()
        try:
            zone_services.delete_zone(zone, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(zone.get_absolute_url())
        messages.success(request, _("Deleted “{object}”.").format(object=zone))
        return HttpResponseRedirect(reverse("core:zone_list"))


class ZoneImporter(ModelImporter):
    model = Zone
    form_class = ZoneForm
    key_field = "code"


class ZoneImportView(TreeAdminOnly, generic.BulkImportView):
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
    key_fields = ("zone", "name")  # the department's unique name in its zone


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
            from_values=("content_type_id", lambda pk: ContentType.objects.get_for_id(pk).name),
        ),
        Column("object_repr"),
        Column(
            "changes",
            gettext_lazy("Fields"),
            sortable=False,
            accessor=changed_field_labels,
            from_values=(("content_type_id", "changes"), field_labels),
        ),
        Column("request_id", sortable=False),
    ]

    def restricted(self, action="view"):
        if not role_may(self.request.user, action, ObjectChange):
            raise PermissionDenied(_("Only the audit administrator may read the audit log."))
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


# Security events and accounts (security administrator; the auditor reads) ------------------


class SecurityEventListView(generic.ObjectListView):
    model = SecurityEvent
    queryset = SecurityEvent.objects.all()
    filterset_class = SecurityEventFilterSet
    search_fields = ("username", "path")
    default_ordering = ("-time", "-id")
    export_name = "security-events"
    template_name = "core/securityevent_list.html"
    columns = [
        Column("time"),
        Column("type"),
        Column("username"),
        Column("address"),
        Column("path", sortable=False),
        Column(
            "detail",
            sortable=False,
            accessor=lambda e: "; ".join(f"{k}={v}" for k, v in (e.detail or {}).items()),
        ),
    ]

    def restricted(self, action=VIEW):
        if not role_may(self.request.user, action, SecurityEvent):
            raise PermissionDenied(
                _("Only the security and audit administrators may read security events.")
            )
        return super().restricted(action)

    def extra_context(self) -> dict:
        user = self.request.user
        if user.role != Role.SECURITY_ADMIN:
            return {}
        return {
            "locked": [
                (name, max(1, int(left.total_seconds() // 60) + 1))
                for name, left in security.locked_accounts()
            ],
            "policy": security.policy(),
            "second_factor_users": User.objects.exclude(totp_confirmed_at=None).order_by(
                "username"
            ),
            "roles": Role.choices,
        }


def _security_admin_post(request, action):
    if request.method != "POST":
        return HttpResponseRedirect(reverse("core:securityevent_list"))
    if request.user.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(_("Only the security administrator may do this."))
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("Done."))
    return HttpResponseRedirect(reverse("core:securityevent_list"))


@login_required
def unlock_account(request):
    username = request.POST.get("username", "")
    return _security_admin_post(
        request,
        lambda: account_services.unlock_account(
            username, acting_user=request.user, request=request
        ),
    )


@login_required
def grant_access(request):
    target = User.objects.filter(username=request.POST.get("username", "")).first()
    codes = [c.strip() for c in request.POST.get("zones", "").replace("，", ",").split(",")]
    codes = [c for c in codes if c]

    def grant():
        if target is None:
            raise ValidationError(_("No such account."))
        zones = list(Zone.objects.filter(code__in=codes))
        if len(zones) != len(set(codes)):
            raise ValidationError(_("Unknown zone code."))
        account_services.grant_access(
            target,
            role=request.POST.get("role", ""),
            zones=zones,
            acting_user=request.user,
            request=request,
        )

    return _security_admin_post(request, grant)


@login_required
def reset_second_factor(request):
    target = User.objects.filter(username=request.POST.get("username", "")).first()

    def reset():
        if target is None:
            raise ValidationError(_("No such account."))
        account_services.remove_second_factor(target, acting_user=request.user, request=request)

    return _security_admin_post(request, reset)


# Closed-loop cases ------------------------------------------------------------------------------


class LoopCaseListView(generic.ObjectListView):
    model = LoopCase
    queryset = LoopCase.objects.select_related("zone", "department", "handler")
    filterset_class = LoopCaseFilterSet
    search_fields = ("title",)
    default_ordering = ("due_date", "id")
    columns = [
        Column("title", linkify=True),
        Column("kind", accessor=lambda c: loop.get_workflow(c.kind).label),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("state", accessor=lambda c: loop.get_workflow(c.kind).states.get(c.state, c.state)),
        Column("department__name", gettext_lazy("Department")),
        Column("handler", order_by="handler__username"),
        Column("due_date", deadline=True),
        Column("escalation", accessor=lambda c: c.get_escalation_now_display()),
    ]


class LoopCaseDetailView(TransitionDetailView):
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
    deadline_fields = ("due_date",)

    def detail_rows(self, obj):
        # The level as of today, from the deadline, not as the last tick left it.
        label = Column("escalation").bind(LoopCase).label
        return [
            (name, obj.get_escalation_now_display() if name == label else value)
            for name, value in super().detail_rows(obj)
        ]

    def extra_context(self, obj):
        workflow = loop.get_workflow(obj.kind)
        return {
            "workflow": workflow,
            "state_label": workflow.states.get(obj.state, obj.state),
            "transitions": workflow.available(obj.state),
            "events": obj.events.select_related("actor"),
            "transition_form": self.transition_form(obj),
        }

    def case_of(self, obj):
        return obj

    def transition(self, case, name, **kwargs):
        return services.do_transition(case, name, **kwargs)
