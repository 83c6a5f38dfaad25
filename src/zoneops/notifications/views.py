from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from zoneops.notifications import services
from zoneops.notifications.models import Notification


class NotificationListView(LoginRequiredMixin, View):
    def get(self, request):
        qs = Notification.objects.filter(user=request.user).select_related("case")
        if request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "notifications/notification_list.html",
            {"page": page, "unread_only": bool(request.GET.get("unread"))},
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
