from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core.access.permissions import CHANGE, VIEW, role_may
from zoneops.core.rest.params import int_param
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.investment import services
from zoneops.investment.filters import (
    AnnualTargetFilterSet,
    EventFilterSet,
    FundsInPlaceFilterSet,
    LeadFilterSet,
    SigningFilterSet,
)
from zoneops.investment.forms import (
    AnnualTargetForm,
    EventForm,
    FollowUpForm,
    FundsForm,
    LandForm,
    LeadForm,
    MoveForm,
    SigningForm,
)
from zoneops.investment.imports import LeadImporter
from zoneops.investment.models import (
    AnnualTarget,
    Event,
    FundsInPlace,
    Lead,
    Signing,
)
from zoneops.projects.models import Project

OVERDUE_LABELS = {
    "first_contact": gettext_lazy("First contact overdue"),
    "assessment": gettext_lazy("Assessment overdue"),
}


def error_text(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def response_state(lead, today=None) -> str:
    today = today or timezone.localdate()
    return "、".join(str(OVERDUE_LABELS[k]) for k in lead.response_overdue(today))


class LeadListView(generic.ObjectListView):
    model = Lead
    queryset = Lead.objects.select_related("zone", "responsible")
    filterset_class = LeadFilterSet
    search_fields = ("name", "investor_company", "contact_name", "chain", "industry")
    default_ordering = ("-received_on", "-id")
    template_name = "investment/lead_list.html"

    def bound_columns(self):
        user = self.request.user
        columns = [
            Column("name", linkify=True),
            Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
            Column("investor_company"),
            Column("contact_name"),
            Column(
                "contact_phone",
                accessor=lambda lead: services.phone_for(user, lead.contact_phone),
                sortable=False,
            ),
            Column(
                "source_division",
                gettext_lazy("Source"),
                accessor=lambda lead: lead.source_place,
            ),
            Column("method"),
            Column("intended_investment"),
            Column("stage"),
            Column("stage_changed_on"),
            Column(
                "response",
                gettext_lazy("Response"),
                sortable=False,
                accessor=response_state,
            ),
            Column("responsible", order_by="responsible__username"),
        ]
        return [column.bind(self.model) for column in columns]


class LeadDetailView(generic.ObjectDetailView):
    model = Lead
    template_name = "investment/lead_detail.html"
    queryset = Lead.objects.select_related("zone", "responsible", "project", "enterprise")
    deadline_fields = ("first_contact_due", "assessment_due")
    fields = (
        "name",
        "zone",
        "investor_company",
        "contact_name",
        "contact_phone",
        "source_division",
        "source_region",
        "industry",
        "chain",
        "method",
        "intended_investment",
        "responsible",
        "stage",
        "stage_changed_on",
        "terminated_reason",
        "received_on",
        "first_contact_due",
        "first_contact_on",
        "assessment_due",
        "assessed_on",
        "project",
        "enterprise",
        "landed_on",
        "source",
    )

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        phone_label = Lead._meta.get_field("contact_phone").verbose_name
        source_label = Lead._meta.get_field("source_division").verbose_name
        masked = []
        for label, value in rows:
            if str(label).lower() == str(phone_label).lower():
                value = services.phone_for(self.request.user, obj.contact_phone) or "—"
            elif str(label).lower() == str(source_label).lower() and obj.source_division:
                value = f"{obj.source_division} {obj.source_place}"
            masked.append((label, value))
        return masked

    def extra_context(self, obj):
        today = timezone.localdate()
        can_change = Lead.objects.restrict(self.request.user, CHANGE).filter(pk=obj.pk).exists()
        return {
            "can_change": can_change,
            "may_land": can_change and role_may(self.request.user, "add", Project),
            "overdue": [str(OVERDUE_LABELS[k]) for k in obj.response_overdue(today)],
            "stage_changes": obj.stage_changes.select_related("actor"),
            "follow_ups": obj.follow_ups.select_related("actor"),
            "signings": obj.signings.select_related("event"),
            "funds": obj.funds.all(),
            "move_form": MoveForm(initial={"on": today}),
            "follow_up_form": FollowUpForm(initial={"date": today}),
            "land_form": LandForm(initial={"on": today}),
        }


class LeadEditView(generic.ObjectEditView):
    model = Lead
    form_class = LeadForm


class LeadDeleteView(generic.ObjectDeleteView):
    model = Lead


class LeadImportView(generic.BulkImportView):
    model = Lead
    importer_class = LeadImporter
    import_help = gettext_lazy(
        "One row per lead. A row whose zone code and lead name match a lead you may change "
        "updates it; any other row adds a lead at stage 线索 with its response deadlines. The "
        "source may be a GB/T 2260 code or a place name (苏州市, 广东省, 境外). Nothing is "
        "saved unless every row is right."
    )


class LeadActionView(LoginRequiredMixin, View):
    """POST endpoints of a lead's page: move stage, follow up, land."""

    def lead(self):
        return get_object_or_404(
            Lead.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["pk"]
        )

    def done(self, lead):
        return HttpResponseRedirect(lead.get_absolute_url())


class MoveView(LeadActionView):
    def post(self, request, pk):
        lead = self.lead()
        form = MoveForm(request.POST)
        error = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.move_stage(
                    lead,
                    data["stage"],
                    on=data["on"] or None,
                    comment=data["comment"],
                    acting_user=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                error = error_text(exc)
        else:
            error = _("Please check the form.")
        if request.headers.get("HX-Request"):
            return KanbanView.render_board(request, error=error)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Stage changed."))
        target = request.POST.get("next")
        if target == "kanban":
            return HttpResponseRedirect(reverse("investment:kanban"))
        return self.done(lead)


class FollowUpView(LeadActionView):
    def post(self, request, pk):
        lead = self.lead()
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.log_follow_up(lead, acting_user=request.user, **form.cleaned_data)
                messages.success(request, _("Follow-up recorded."))
            except ValidationError as exc:
                messages.error(request, error_text(exc))
        else:
            messages.error(request, _("Please check the form."))
        return self.done(lead)


class LandView(LeadActionView):
    def post(self, request, pk):
        lead = self.lead()
        form = LandForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                landing = services.land(
                    lead,
                    code=data["code"],
                    uscc=data["uscc"],
                    on=data["on"] or None,
                    acting_user=request.user,
                )
                messages.success(
                    request, _("Landed as project {project}.").format(project=landing.project)
                )
                return HttpResponseRedirect(landing.project.get_absolute_url())
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
        else:
            messages.error(request, _("Please check the form."))
        return self.done(lead)


class KanbanView(LoginRequiredMixin, View):
    """The funnel and kanban of a zone's leads; cards are dragged between stages (HTMX)."""

    per_column = 60

    @classmethod
    def board_context(cls, request) -> dict:
        qs = Lead.objects.restrict(request.user, VIEW)
        filterset = LeadFilterSet(request.GET, queryset=qs, request=request)
        leads = filterset.qs if filterset.is_valid() else qs.none()
        today = timezone.localdate()
        columns = {
            value: {"stage": value, "label": label, "cards": [], "count": 0}
            for value, label in Lead.Stage.choices
        }
        rows = leads.select_related("zone").order_by("-stage_changed_on", "-id")
        for lead in rows.only(
            "pk",
            "name",
            "investor_company",
            "stage",
            "stage_changed_on",
            "intended_investment",
            "first_contact_due",
            "first_contact_on",
            "assessment_due",
            "assessed_on",
            "zone__name",
        ):
            column = columns[lead.stage]
            column["count"] += 1
            if len(column["cards"]) < cls.per_column:
                lead.overdue_text = response_state(lead, today)
                column["cards"].append(lead)
        return {
            "filterset": filterset,
            "columns": list(columns.values()),
            "funnel": services.funnel(leads),
            "may_move": role_may(request.user, CHANGE, Lead),
            "stages": Lead.Stage.choices,
        }

    @classmethod
    def render_board(cls, request, error=None):
        context = cls.board_context(request) | {"error": error}
        return render(request, "investment/_kanban.html", context)

    def get(self, request):
        return render(request, "investment/kanban.html", self.board_context(request))


class ProgressView(LoginRequiredMixin, View):
    """Funds in place and signed-and-landed projects against the annual targets and 序时进度."""

    def get(self, request):
        visible = request.user.visible_zones()
        zone = None
        zone_id = int_param(request, "zone", minimum=1)
        if zone_id:
            zone = visible.filter(pk=zone_id).first()
        if zone is None:
            target = AnnualTarget.objects.restrict(request.user, VIEW).order_by("-year").first()
            zone = target.zone if target else visible.order_by("depth", "path").first()
        year = int_param(request, "year", minimum=1900, maximum=2999)
        year = (
            year
            or (
                AnnualTarget.objects.filter(zone=zone)
                .order_by("-year")
                .values_list("year", flat=True)
                .first()
                if zone
                else None
            )
            or timezone.localdate().year
        )
        data = services.progress(zone, year) if zone else None
        events = Event.objects.restrict(request.user, VIEW)
        if zone:
            events = events.filter(zone__path__startswith=zone.path, date__year=year)
        events = list(events)
        tallies = services.event_tally(events)
        chart = None
        if data:
            chart = {
                "months": [f"{m}" for m in range(1, 13)],
                "monthly": [float(v) for v in data["funds_by_month"]],
                "cumulative": [float(v) for v in data["funds_cumulative"]],
                "target": float(data["target"].funds_in_place) if data["target"] else None,
                "labels": {
                    "monthly": _("Funds in place in the month"),
                    "cumulative": _("Funds in place this year"),
                    "target": _("Annual target"),
                },
            }
        return render(
            request,
            "investment/progress.html",
            {
                "zones": visible.order_by("path"),
                "zone": zone,
                "year": year,
                "data": data,
                "tallies": [tallies[e.pk] for e in events],
                "chart": chart,
            },
        )


class EventListView(generic.ObjectListView):
    model = Event
    queryset = Event.objects.select_related("zone")
    filterset_class = EventFilterSet
    search_fields = ("name", "location")
    default_ordering = ("-date", "-id")
    columns = [
        Column("name", linkify=True),
        Column("kind"),
        Column("date"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("location"),
    ]


class EventDetailView(generic.ObjectDetailView):
    model = Event
    template_name = "investment/event_detail.html"
    queryset = Event.objects.select_related("zone")

    def extra_context(self, obj):
        return {
            "tally": services.event_tally([obj])[obj.pk],
            "signings": obj.signings.select_related("lead").order_by("signed_on", "id"),
        }


class EventEditView(generic.ObjectEditView):
    model = Event
    form_class = EventForm


class EventDeleteView(generic.ObjectDeleteView):
    model = Event


class LeadChildEditView(generic.ObjectEditView):
    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        initial = {}
        if instance is None and request.GET.get("lead"):
            initial["lead"] = request.GET["lead"]
        return self.render_form(
            self.form_class(instance=instance, user=request.user, initial=initial), instance
        )


class SigningListView(generic.ObjectListView):
    model = Signing
    queryset = Signing.objects.select_related("lead", "lead__zone", "event")
    filterset_class = SigningFilterSet
    search_fields = ("lead__name", "lead__investor_company", "event__name")
    default_ordering = ("-signed_on", "-id")
    columns = [
        Column("title", gettext_lazy("Signing"), linkify=True, accessor=str, order_by="signed_on"),
        Column("lead__zone__name", gettext_lazy("Zone"), order_by="lead__zone__path"),
        Column("event__name", gettext_lazy("Event")),
        Column("amount"),
        Column("is_capital_increase"),
        Column("counted"),
        Column("counted_amount"),
    ]


class SigningDetailView(generic.ObjectDetailView):
    model = Signing
    queryset = Signing.objects.select_related("lead", "event")
    fields = (
        "lead",
        "event",
        "signed_on",
        "amount",
        "is_capital_increase",
        "counted",
        "counted_amount",
        "source",
        "created_at",
    )


class SigningEditView(LeadChildEditView):
    model = Signing
    form_class = SigningForm


class SigningDeleteView(generic.ObjectDeleteView):
    model = Signing

    def post(self, request, *args, **kwargs):
        signing = self.get_object_to_delete()
        lead = signing.lead
        services.delete_signing(signing, acting_user=request.user)
        messages.success(request, _("Deleted “{object}”.").format(object=signing))
        return HttpResponseRedirect(lead.get_absolute_url())


class FundsListView(generic.ObjectListView):
    model = FundsInPlace
    queryset = FundsInPlace.objects.select_related("lead", "lead__zone")
    filterset_class = FundsInPlaceFilterSet
    search_fields = ("lead__name", "lead__investor_company")
    default_ordering = ("-year", "-month", "id")
    columns = [
        Column(
            "title",
            gettext_lazy("Funds in place"),
            linkify=True,
            accessor=str,
            order_by="lead__name",
        ),
        Column("lead__zone__name", gettext_lazy("Zone"), order_by="lead__zone__path"),
        Column("year"),
        Column("month"),
        Column("amount"),
    ]


class FundsDetailView(generic.ObjectDetailView):
    model = FundsInPlace
    queryset = FundsInPlace.objects.select_related("lead")


class FundsEditView(LeadChildEditView):
    model = FundsInPlace
    form_class = FundsForm


class FundsDeleteView(generic.ObjectDeleteView):
    model = FundsInPlace


class TargetListView(generic.ObjectListView):
    model = AnnualTarget
    queryset = AnnualTarget.objects.select_related("zone")
    filterset_class = AnnualTargetFilterSet
    search_fields = ("zone__name", "zone__code")
    default_ordering = ("-year", "zone__path")
    columns = [
        Column("title", gettext_lazy("Annual target"), linkify=True, accessor=str, order_by="year"),
        Column("signed_landed"),
        Column("funds_in_place"),
        Column("big_projects_started"),
    ]


class TargetDetailView(generic.ObjectDetailView):
    model = AnnualTarget
    template_name = "investment/target_detail.html"
    queryset = AnnualTarget.objects.select_related("zone")

    def extra_context(self, obj):
        return {"progress": services.progress(obj.zone, obj.year)}


class TargetEditView(generic.ObjectEditView):
    model = AnnualTarget
    form_class = AnnualTargetForm


class TargetDeleteView(generic.ObjectDeleteView):
    model = AnnualTarget
