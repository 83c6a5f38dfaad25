from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core.access.permissions import CHANGE, VIEW
from zoneops.core.models import LoopCase
from zoneops.core.rest.params import int_param
from zoneops.core.ui import generic, submissions
from zoneops.core.ui.tables import Column
from zoneops.hazards import reports, services, workflow
from zoneops.hazards.filters import HazardFilterSet, InspectionRoundFilterSet
from zoneops.hazards.forms import (
    HazardForm,
    InspectionRoundForm,
    PhotoForm,
    RectifyForm,
    TransitionForm,
    current_quarter,
)
from zoneops.hazards.models import Hazard, HazardPhoto, InspectionRound, Level

LIST_QUERYSET = Hazard.objects.select_related(
    "case", "case__handler", "case__department", "zone", "enterprise"
)
ESCALATION = dict(LoopCase.Escalation.choices)


class HazardListView(generic.ObjectListView):
    model = Hazard
    queryset = LIST_QUERYSET
    filterset_class = HazardFilterSet
    template_name = "hazards/hazard_list.html"
    search_fields = ("title", "place", "enterprise__name", "description")
    default_ordering = ("-found_on", "-id")
    columns = [
        Column("title", linkify=True),
        Column("level"),
        Column("category"),
        Column("enterprise__name", gettext_lazy("Enterprise")),
        Column("place"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column(
            "state", gettext_lazy("State"), order_by="case__state", accessor=lambda h: h.state_label
        ),
        Column("case__handler", gettext_lazy("Owner"), order_by="case__handler__username"),
        Column("found_on"),
        Column("deadline", deadline=True),
        Column(
            "escalation",
            gettext_lazy("Escalation"),
            order_by="case__escalation",
            accessor=lambda h: ESCALATION.get(h.case.escalation_now) if h.case.is_open else "",
        ),
    ]

    def extra_context(self):
        return {
            "major_url": reverse("hazards:major"),
            "report_url": reverse("hazards:report"),
            "rounds_url": reverse("hazards:inspectionround_list"),
        }


class MajorHazardListView(HazardListView):
    """Major hazards have their own list."""

    def base_queryset(self):
        return LIST_QUERYSET.filter(level=Level.MAJOR)

    def extra_context(self):
        return super().extra_context() | {"verbose_name_plural": _("Major hazards")}


class HazardDetailView(generic.ObjectDetailView):
    model = Hazard
    queryset = Hazard.objects.select_related(
        "case",
        "case__handler",
        "case__department",
        "zone",
        "enterprise",
        "found_by",
        "verified_by",
        "inspection",
    )
    template_name = "hazards/hazard_detail.html"
    fields = (
        "title",
        "level",
        "category",
        "enterprise",
        "place",
        "zone",
        "description",
        "remedy",
        "found_by",
        "found_on",
        "deadline",
        "inspection",
        "rectified_on",
        "verified_by",
        "verified_on",
        "rework_count",
        "source",
    )

    def extra_context(self, obj):
        user = self.request.user
        may_act = not user.is_administrator and user.role != "leader"  # 三员分立
        case = obj.case
        wf = workflow.MAJOR_HAZARD if obj.level == Level.MAJOR else workflow.HAZARD
        return {
            "case": case,
            "state_label": obj.state_label,
            "escalation_label": ESCALATION.get(case.escalation_now, ""),
            "transitions": wf.available(case.state) if may_act else [],
            "transition_form": TransitionForm(hazard=obj),
            "photo_form": PhotoForm() if may_act else None,
            "rectify_url": reverse("hazards:hazard_rectify", args=[obj.pk])
            if may_act and case.state in ("assigned", "rectifying")
            else None,
            "photos": obj.photos.all(),
            "events": case.events.select_related("actor"),
        }

    def post(self, request, *args, **kwargs):
        hazard = self.get_object(VIEW)
        action = request.POST.get("action", "transition")
        try:
            if action == "photo":
                form = PhotoForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(_("Choose a file to upload."))
                services.add_photo(
                    hazard,
                    form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    acting_user=request.user,
                    keep_location=form.cleaned_data["keep_location"],
                )
            elif action == "level":
                services.set_level(
                    hazard,
                    request.POST.get("level", ""),
                    acting_user=request.user,
                    comment=request.POST.get("comment", ""),
                )
            else:
                form = TransitionForm(request.POST, hazard=hazard)
                if not form.is_valid():
                    raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
                data = form.cleaned_data
                services.transition(
                    hazard,
                    request.POST.get("transition", ""),
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
        return HttpResponseRedirect(hazard.get_absolute_url())


class RectifyView(generic.ObjectViewMixin, View):
    """Report a hazard rectified from the site, with photos; sent once per rendered form."""

    model = Hazard
    template_name = "hazards/hazard_rectify.html"

    def render_form(self, form, hazard):
        context = self.common_context() | {"form": form, "object": hazard}
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_form(RectifyForm(), self.get_object(VIEW))

    def post(self, request, pk):
        hazard = self.get_object(VIEW)
        token = request.POST.get("client_token")
        earlier = submissions.previous_submission(request, token)
        if earlier is not None:
            return submissions.already_received(request, earlier)
        form = RectifyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, hazard)
        data = form.cleaned_data
        try:
            hazard, duplicate = submissions.submit_once(
                request,
                token,
                lambda: services.rectify_with_photos(
                    hazard,
                    data["photos"],
                    acting_user=request.user,
                    comment=data["comment"],
                    keep_location=data["keep_location"],
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            return self.render_form(form, self.get_object(VIEW))
        if duplicate is not None:
            return duplicate
        messages.success(request, _("Reported rectified; waiting for verification."))
        return HttpResponseRedirect(hazard.get_absolute_url())


class HazardEditView(generic.ObjectEditView):
    model = Hazard
    form_class = HazardForm

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.form_class(request.POST, request.FILES, instance=instance, user=request.user)
        if not form.is_valid():
            return self.render_form(form, instance)
        try:
            obj = form.save()
        except (ValidationError, PermissionDenied) as exc:
            messages_ = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            form.add_error(None, " ".join(messages_))
            return self.render_form(form, instance)
        messages.success(request, _("Saved “{object}”.").format(object=obj))
        return HttpResponseRedirect(obj.get_absolute_url())


class PhotoView(generic.ObjectViewMixin, View):
    model = HazardPhoto

    def get(self, request, pk):
        photo = self.get_object(VIEW)
        return FileResponse(
            photo.file.open("rb"), filename=photo.name, content_type=photo.content_type
        )


class InspectionRoundListView(generic.ObjectListView):
    model = InspectionRound
    queryset = InspectionRound.objects.select_related("zone")
    filterset_class = InspectionRoundFilterSet
    search_fields = ("title", "notes")
    default_ordering = ("-planned_on", "-id")
    columns = [
        Column("title", linkify=True),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column("planned_on"),
        Column("done_on"),
    ]


class InspectionRoundDetailView(generic.ObjectDetailView):
    model = InspectionRound
    queryset = InspectionRound.objects.select_related("zone")
    template_name = "hazards/inspectionround_detail.html"
    fields = ("title", "zone", "planned_on", "done_on", "notes", "source")

    def extra_context(self, obj):
        can_change = InspectionRound.objects.restrict(self.request.user, CHANGE).filter(pk=obj.pk)
        return {
            "inspectors": obj.inspectors.all(),
            "enterprises": obj.enterprises.all(),
            "findings": obj.hazards.select_related("case", "enterprise"),
            "can_change": can_change.exists(),
            "add_finding_url": reverse("hazards:hazard_add"),
        }

    def post(self, request, *args, **kwargs):
        inspection = self.get_object(VIEW)
        try:
            services.complete_round(inspection, acting_user=request.user)
            messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        return HttpResponseRedirect(inspection.get_absolute_url())


class InspectionRoundEditView(generic.ObjectEditView):
    model = InspectionRound
    form_class = InspectionRoundForm


class InspectionRoundDeleteView(generic.ObjectDeleteView):
    model = InspectionRound


class ReportView(generic.ObjectViewMixin, View):
    model = Hazard

    def get(self, request):
        qs = Hazard.objects.restrict(request.user, VIEW)
        today = timezone.localdate()
        year, quarter = current_quarter(today)
        year = int_param(request, "year", year, minimum=1900, maximum=2999)
        quarter = int_param(request, "quarter", quarter, minimum=1, maximum=4)
        return render(
            request,
            "hazards/report.html",
            {
                "by_level": reports.open_by_level_and_age(qs, today),
                "buckets": ["0–7", "8–30", "31–90", "> 90"],
                "closure": reports.closure(qs),
                "repeats": reports.repeats(qs),
                "coverage": reports.coverage(request.user, year, quarter),
                "year": year,
                "quarter": quarter,
                "list_url": reverse("hazards:hazard_list"),
                "categories": dict(Hazard._meta.get_field("category").choices),
            },
        )
