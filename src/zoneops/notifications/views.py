from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core.access.permissions import role_may
from zoneops.core.access.privacy import mask_phone
from zoneops.core.ui import generic
from zoneops.core.ui.tables import Column
from zoneops.notifications import services
from zoneops.notifications.filters import OutboxMessageFilterSet, RouteFilterSet
from zoneops.notifications.forms import EnterpriseSmsForm, RouteForm
from zoneops.notifications.models import Channel, Notification, OutboxMessage, Route


class NotificationListView(LoginRequiredMixin, View):
    def get(self, request):
        qs = Notification.objects.filter(user=request.user).select_related("case")
        if request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "notifications/notification_list.html",
            {
                "page": page,
                "unread_only": bool(request.GET.get("unread")),
                "may_route": role_may(request.user, "view", Route),
                "may_outbox": role_may(request.user, "view", OutboxMessage),
            },
        )

    def post(self, request):
        services.mark_read(request.user)
        return HttpResponseRedirect(reverse("notifications:notification_list"))


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark one notice read and go where it points."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return HttpResponseRedirect(services.target_url(notification))


class BellView(LoginRequiredMixin, View):
    """The bell with its unread count, loaded by HTMX after the page (so that pages spend no
    query on it) and refreshed every minute."""

    def get(self, request):
        return render(request, "notifications/_bell_count.html")


# Routes, the outbox and its dead letters (administrators) -----------------------------------


class RouteListView(generic.ObjectListView):
    model = Route
    queryset = Route.objects.select_related("zone", "department")
    columns = [
        Column("name", linkify=True),
        Column("zone__name", _("Zone")),
        Column("department__name", _("Department")),
        Column("channel"),
        Column("events", sortable=False, accessor=lambda r: r.get_events_display()),
        Column("webhook_url", sortable=False, accessor=lambda r: services.mask_url(r.webhook_url)),
        Column("enabled"),
    ]
    filterset_class = RouteFilterSet
    search_fields = ("name", "zone__name", "department__name")
    default_ordering = ("zone__path", "name")

    def extra_context(self) -> dict:
        return {"outbox_url": reverse("notifications:outboxmessage_list")}


class RouteDetailView(generic.ObjectDetailView):
    model = Route
    queryset = Route.objects.select_related("zone", "department")
    template_name = "notifications/route_detail.html"
    fields = ("name", "zone", "department", "channel", "events", "phones", "enabled", "source")

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        rows.insert(4, (_("webhook URL"), services.mask_url(obj.webhook_url) or "—"))
        rows.insert(5, (_("signing secret"), services.mask_secret(obj.secret) or "—"))
        return rows

    def extra_context(self, obj) -> dict:
        may_test = obj.channel != Channel.INAPP and (
            Route.objects.restrict(self.request.user, "change").filter(pk=obj.pk).exists()
        )
        return {"may_test": may_test}


class RouteTestView(LoginRequiredMixin, View):
    """Send a test message through a route now and say how it went."""

    def post(self, request, pk):
        route = get_object_or_404(Route.objects.restrict(request.user, "change"), pk=pk)
        try:
            outcome = services.send_route_test(route, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if outcome.ok:
                messages.success(
                    request,
                    _("The test message was accepted ({ms} ms).").format(ms=outcome.duration_ms),
                )
            else:
                messages.error(
                    request,
                    _("The test message failed: {error}").format(
                        error=outcome.error or f"HTTP {outcome.status_code}"
                    ),
                )
        return HttpResponseRedirect(route.get_absolute_url())


class RouteEditView(generic.ObjectEditView):
    model = Route
    form_class = RouteForm

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.path)


class RouteDeleteView(generic.ObjectDeleteView):
    model = Route


class OutboxListView(generic.ObjectListView):
    model = OutboxMessage
    queryset = OutboxMessage.objects.select_related("zone", "route")
    columns = [
        Column("created_at", linkify=True),
        Column("event"),
        Column("channel"),
        Column("route__name", _("Route")),
        Column("zone__name", _("Zone")),
        Column("text", sortable=False, accessor=lambda m: m.text[:80]),
        Column("status"),
        Column("attempts"),
        Column("next_attempt_at"),
        Column("sent_at"),
    ]
    filterset_class = OutboxMessageFilterSet
    search_fields = ("text", "route__name")
    default_ordering = ("-created_at", "-id")

    def extra_context(self) -> dict:
        return {"dead_url": reverse("notifications:dead_letters")}


class OutboxDetailView(generic.ObjectDetailView):
    model = OutboxMessage
    queryset = OutboxMessage.objects.select_related("zone", "route", "enterprise")
    template_name = "notifications/outboxmessage_detail.html"
    fields = (
        "event", "channel", "route", "zone", "enterprise", "text", "status", "attempts",
        "next_attempt_at", "last_error", "created_at", "sent_at", "idempotency_key",
    )  # fmt: skip

    def detail_rows(self, obj):
        rows = super().detail_rows(obj)
        rows.insert(2, (_("destination"), _destination(obj)))
        return rows

    def extra_context(self, obj) -> dict:
        return {"attempts": obj.attempt_log.all()[:100]}


def _destination(message: OutboxMessage) -> str:
    if message.channel == Channel.SMS:
        return mask_phone(message.destination)
    if message.channel == Channel.INAPP:
        return _("{count} users").format(
            count=len([u for u in message.destination.split(",") if u])
        )
    return services.mask_url(message.route.webhook_url) if message.route else "—"


class DeadLetterView(LoginRequiredMixin, View):
    """Dead messages of the administrator's zones; selected ones can be sent again."""

    def queryset(self):
        return (
            OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD)
            .restrict(self.request.user, "change")
            .select_related("route", "zone")
        )

    def get(self, request):
        if not role_may(request.user, "change", OutboxMessage):
            raise PermissionDenied
        page = Paginator(self.queryset().order_by("-created_at", "-id"), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "notifications/dead_letters.html",
            {"page": page, "outbox_url": reverse("notifications:outboxmessage_list")},
        )

    def post(self, request):
        if not role_may(request.user, "change", OutboxMessage):
            raise PermissionDenied
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit() and len(i) < 19]
        if not ids:
            messages.error(request, _("Select the messages to send again."))
        else:
            try:
                count = services.resend(ids, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("{count} messages are queued again.").format(count=count)
                )
        return HttpResponseRedirect(reverse("notifications:dead_letters"))


class EnterpriseSmsView(LoginRequiredMixin, View):
    """Send a text message to an enterprise's contact, within the monthly limit (无事不扰)."""

    def enterprise(self):
        from zoneops.enterprises.models import Enterprise

        return get_object_or_404(
            Enterprise.objects.restrict(self.request.user, "change"), pk=self.kwargs["pk"]
        )

    def render_form(self, enterprise, form, status=200):
        used = services.enterprise_month_count(enterprise)
        limit = services.enterprise_monthly_limit()
        return render(
            self.request,
            "notifications/enterprise_sms.html",
            {
                "enterprise": enterprise,
                "form": form,
                "used": used,
                "limit": limit,
                "at_limit": used >= limit,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_form(self.enterprise(), EnterpriseSmsForm())

    def post(self, request, pk):
        enterprise = self.enterprise()
        form = EnterpriseSmsForm(request.POST)
        if form.is_valid():
            try:
                services.send_enterprise_sms(
                    enterprise, form.cleaned_data["text"], acting_user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The message is queued."))
                return HttpResponseRedirect(request.path)
        return self.render_form(enterprise, form, status=422)
