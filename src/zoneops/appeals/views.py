import random

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.appeals import reports, services, workflow
from zoneops.appeals.filters import AppealFilterSet
from zoneops.appeals.forms import (
    AppealForm,
    AttachmentForm,
    PublicAppealForm,
    RatingForm,
    TransitionForm,
    VisitAppealForm,
    make_challenge,
)
from zoneops.appeals.models import Appeal, Attachment, Channel
from zoneops.core.access.permissions import ADD, VIEW, role_may
from zoneops.core.access.privacy import mask_phone
from zoneops.core.calendar import workdays as calendar
from zoneops.core.loop import workflows as loop
from zoneops.core.ui import generic, submissions
from zoneops.core.ui.tables import Column

LIST_QUERYSET = Appeal.objects.select_related(
    "case", "case__department", "case__handler", "zone", "submission"
)


def _late(appeal: Appeal) -> str:
    days = calendar.working_days_between(appeal.case.due_date, services.today())
    return str(days) if appeal.case.is_open and days > 0 else ""


class AppealListView(generic.ObjectListView):
    model = Appeal
    queryset = LIST_QUERYSET
    filterset_class = AppealFilterSet
    template_name = "appeals/appeal_list.html"
    search_fields = (
        "title",
        "submission__tracking_number",
        "submission__enterprise_name",
        "tags",
        "description",
    )
    default_ordering = ("-id",)
    columns = [
        Column(
            "submission__tracking_number",
            gettext_lazy("Tracking number"),
            order_by="submission__tracking_number",
            linkify=True,
        ),
        Column("title", linkify=True),
        Column("submission__enterprise_name", gettext_lazy("Enterprise")),
        Column("category"),
        Column("zone__name", gettext_lazy("Zone"), order_by="zone__path"),
        Column(
            "state", gettext_lazy("State"), order_by="case__state", accessor=lambda a: a.state_label
        ),
        Column("case__department__name", gettext_lazy("Department")),
        Column("case__handler", gettext_lazy("Handler"), order_by="case__handler__username"),
        Column("case__due_date", gettext_lazy("Due date"), deadline=True),
        Column(
            "escalation",
            gettext_lazy("Escalation"),
            order_by="case__escalation",
            accessor=lambda a: a.escalation_label,
        ),
        Column("rating"),
    ]

    def extra_context(self):
        return {"report_url": reverse("appeals:report"), "overdue_url": reverse("appeals:overdue")}


class OverdueListView(AppealListView):
    """The overdue list for the dispatch meeting (调度会), longest overdue first."""

    template_name = "appeals/overdue_list.html"
    export_name = "appeals-overdue"
    default_ordering = ("case__due_date", "id")
    columns = [
        *AppealListView.columns[:2],
        AppealListView.columns[2],
        AppealListView.columns[6],
        AppealListView.columns[7],
        AppealListView.columns[8],
        Column("late", gettext_lazy("Working days late"), sortable=False, accessor=_late),
        AppealListView.columns[9],
        Column(
            "coordination",
            gettext_lazy("Escalated to"),
        ),
    ]

    def base_queryset(self):
        return LIST_QUERYSET.filter(loop.overdue_q())


class AppealDetailView(generic.ObjectDetailView):
    model = Appeal
    queryset = Appeal.objects.select_related(
        "case", "case__department", "case__handler", "zone", "submission", "enterprise", "visit"
    )
    template_name = "appeals/appeal_detail.html"
    deadline_fields = ("accept_due", "answer_due")
    fields = (
        "title",
        "category",
        "channel",
        "tags",
        "description",
        "zone",
        "enterprise",
        "visit",
        "multi_department",
        "accept_due",
        "accepted_on",
        "answer_due",
        "answered_on",
        "coordination",
        "closed_by",
        "close_working_days",
        "closed_on_time",
        "reopen_count",
        "rating",
        "rating_comment",
        "rated_at",
        "source",
    )

    def extra_context(self, obj):
        case = obj.case
        user = self.request.user
        # 三员分立: administrators take no decision, so they are offered none.
        may_change = Appeal.objects.restrict(user, VIEW).filter(pk=obj.pk).exists() and (
            not user.is_administrator and user.role != "leader"
        )
        transitions = workflow.APPEAL.available(case.state) if may_change else []
        return {
            "case": case,
            "state_label": obj.state_label,
            "escalation_label": obj.escalation_label,
            "stage_late": obj.stage_late(services.today()),
            "transitions": transitions,
            "transition_form": TransitionForm(appeal=obj),
            "attachment_form": AttachmentForm() if may_change else None,
            "rating_form": RatingForm()
            if may_change and case.state in ("replied", "closed")
            else None,
            "attachments": obj.attachments.all(),
            "linked": obj.submission.appeals.exclude(pk=obj.pk).select_related("case"),
            "events": case.events.select_related("actor"),
            "pending_extension": services.core_services.pending_request(case, "request_extension"),
            "contact": obj.submission,
            "contact_phone": (
                obj.submission.contact_phone
                if getattr(self, "revealed", False)
                else mask_phone(obj.submission.contact_phone)
            ),
            "may_reveal": services.handles(user, obj),
        }

    def post(self, request, *args, **kwargs):
        appeal = self.get_object(VIEW)
        action = request.POST.get("action", "transition")
        if action == "reveal":
            services.reveal_contact(appeal, acting_user=request.user, request=request)
            self.revealed = True
            self.object = appeal
            return self.get(request, *args, **kwargs)
        try:
            if action == "attach":
                form = AttachmentForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(_("Choose a file to upload."))
                services.add_attachment(appeal, form.cleaned_data["file"], acting_user=request.user)
            elif action == "rate":
                form = RatingForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose a rating from 1 to 5."))
                services.rate(
                    appeal,
                    form.cleaned_data["score"],
                    form.cleaned_data["comment"],
                    acting_user=request.user,
                )
            else:
                form = TransitionForm(request.POST, appeal=appeal)
                if not form.is_valid():
                    raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
                data = form.cleaned_data
                name = request.POST.get("transition", "")
                multi = data["multi_department"] if name in ("assign", "transfer") else None
                services.transition(
                    appeal,
                    name,
                    acting_user=request.user,
                    comment=data["comment"],
                    department=data["department"],
                    handler=data["handler"],
                    extra_working_days=data["extra_working_days"],
                    multi_department=multi,
                )
            messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        return HttpResponseRedirect(appeal.get_absolute_url())


class AppealEditView(generic.ObjectEditView):
    model = Appeal
    form_class = AppealForm

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.form_class(request.POST, request.FILES, instance=instance, user=request.user)
        if not form.is_valid():
            return self.render_form(form, instance)
        try:
            obj = form.save()
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, str(exc))
            return self.render_form(form, instance)
        messages.success(request, _("Saved “{object}”.").format(object=obj))
        return HttpResponseRedirect(obj.get_absolute_url())


class AppealFromVisitView(generic.ObjectViewMixin, View):
    """Raise an appeal from a liaison visit: enterprise, zone and channel come from the visit,
    the contact from the enterprise's primary contact. Sent once per rendered form."""

    model = Appeal
    template_name = "appeals/appeal_from_visit.html"

    def get_visit(self):
        from zoneops.enterprises.models import Visit

        if not role_may(self.request.user, ADD, Appeal):
            raise PermissionDenied(_("Your role may not add records here."))
        return get_object_or_404(
            Visit.objects.restrict(self.request.user, VIEW).select_related("enterprise__zone"),
            pk=self.kwargs["visit_pk"],
        )

    def render_form(self, form, visit, status=200):
        context = self.common_context() | {"form": form, "visit": visit}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, visit_pk):
        visit = self.get_visit()
        contact = visit.enterprise.contacts.order_by("-is_primary", "name").first()
        initial = {"description": visit.appeals_raised}
        if contact is not None:
            initial |= {"contact_name": contact.name, "contact_phone": contact.phone}
        return self.render_form(VisitAppealForm(initial=initial), visit)

    def post(self, request, visit_pk):
        visit = self.get_visit()
        token = request.POST.get("client_token")
        earlier = submissions.previous_submission(request, token)
        if earlier is not None:
            return submissions.already_received(request, earlier)
        form = VisitAppealForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, visit)
        data = form.cleaned_data
        enterprise = visit.enterprise

        def write():
            entered = dict(data, zone=enterprise.zone, channel=Channel.VISIT)
            entered.update(enterprise=enterprise, uscc=enterprise.uscc, visit=visit)
            return services.submit_one(entered, acting_user=request.user)

        try:
            appeal, duplicate = submissions.submit_once(request, token, write)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            return self.render_form(form, visit)
        if duplicate is not None:
            return duplicate
        messages.success(request, _("Saved “{object}”.").format(object=appeal))
        return HttpResponseRedirect(appeal.get_absolute_url())


class AttachmentDownloadView(generic.ObjectViewMixin, View):
    model = Attachment

    def get(self, request, pk):
        from django.http import FileResponse

        attachment = self.get_object(VIEW)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


class ReportView(generic.ObjectViewMixin, View):
    model = Appeal

    def get(self, request):
        by = request.GET.get("by", "department")
        if by not in reports.DIMENSIONS:
            by = "department"
        qs = Appeal.objects.restrict(request.user, VIEW)
        filterset = AppealFilterSet(request.GET, queryset=qs, request=request)
        qs = filterset.qs if filterset.is_valid() else qs.none()
        rows = reports.summary(qs, by)
        return render(
            request,
            "appeals/report.html",
            {
                "rows": rows,
                "by": by,
                "dimensions": [(k, v[0]) for k, v in reports.DIMENSIONS.items()],
                "by_label": reports.DIMENSIONS[by][0],
                "filterset": filterset,
                "list_url": reverse("appeals:appeal_list"),
            },
        )


# The public page (no login) -------------------------------------------------------------------


def client_address(request) -> str:
    from zoneops.core.accounts.security import client_address as address

    return address(request) or ""


_rng = random.SystemRandom()


class PublicSubmitView(View):
    template_name = "appeals/public_submit.html"

    def render_form(self, request, form, status=200):
        question, token = make_challenge(_rng)
        form.data = form.data.copy() if form.is_bound else form.data
        if form.is_bound:
            form.data["token"] = token
            form.data["answer"] = ""
        else:
            form.initial["token"] = token
        return render(
            request, self.template_name, {"form": form, "question": question}, status=status
        )

    def get(self, request):
        return self.render_form(request, PublicAppealForm())

    def post(self, request):
        form = PublicAppealForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:
            submission, _created = services.public_submit(
                uscc=data["uscc"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                title=data["title"],
                category=data["category"],
                description=data["description"],
                address=client_address(request),
                nonce=data["nonce"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if getattr(exc, "code", "") == "rate_limited" else 400
            return self.render_form(request, form, status=status)
        return HttpResponseRedirect(
            reverse("appeals_public:done", args=[submission.tracking_number])
        )


def public_done(request, tracking_number):
    return render(request, "appeals/public_done.html", {"tracking_number": tracking_number})


class PublicLookupView(View):
    template_name = "appeals/public_lookup.html"

    def context(self, request, **extra):
        return {"tracking_number": "", "phone_suffix": ""} | extra

    def get(self, request):
        return render(request, self.template_name, self.context(request))

    def post(self, request):
        tracking = request.POST.get("tracking_number", "").strip().upper()
        suffix = request.POST.get("phone_suffix", "").strip()
        address = client_address(request)
        retry = services.lookup_retry_after(tracking, address)
        if retry is not None:
            response = render(
                request,
                self.template_name,
                self.context(
                    request,
                    error=_(
                        "Too many wrong attempts; please try again in {minutes} minutes."
                    ).format(minutes=max(1, (retry + 59) // 60)),
                ),
                status=429,
            )
            response["Retry-After"] = str(retry)
            return response
        submission = services.lookup(tracking, suffix)
        if submission is None:
            services.record_lookup_failure(tracking, address)
            return render(
                request,
                self.template_name,
                self.context(
                    request,
                    tracking_number=tracking,
                    error=_(
                        "No appeal matches this tracking number and these phone digits. "
                        "Check both and try again."
                    ),
                ),
                status=404,
            )
        notice = error = ""
        if request.POST.get("action") == "rate":
            try:
                services.public_rate(
                    submission,
                    int(request.POST.get("appeal") or 0),
                    request.POST.get("score"),
                    request.POST.get("comment", ""),
                )
                notice = _("Thank you for your rating.")
            except (ValidationError, PermissionDenied, ValueError) as exc:
                error = " ".join(getattr(exc, "messages", [str(exc)]))
        appeals = list(submission.appeals.select_related("case", "case__department"))
        return render(
            request,
            self.template_name,
            self.context(
                request,
                tracking_number=tracking,
                phone_suffix=suffix,
                submission=submission,
                appeals=[
                    (
                        a,
                        a.case.state in ("replied",)
                        or (
                            a.case.state == "closed"
                            and a.rating is None
                            and a.closed_by != "dismissed"
                        ),
                        a.case.events.filter(transition="reply").order_by("-time").first(),
                    )
                    for a in appeals
                ],
                notice=notice,
                error=error,
            ),
        )
