import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.notifications.models import Channel, Event, OutboxMessage, Route


class RouteFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    department = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=Department.objects.all()
    )
    channel = django_filters.MultipleChoiceFilter(label=_("channel"), choices=Channel.choices)
    events = django_filters.ChoiceFilter(
        label=_("event"), choices=Event.choices, method="filter_events"
    )
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")

    class Meta:
        model = Route
        fields = ["zone", "department", "channel", "events", "enabled", "name", "source"]

    def filter_events(self, queryset, name, value):
        return queryset.filter(events__contains=f",{value},") if value else queryset


class OutboxMessageFilterSet(ScopedFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=OutboxMessage.Status.choices
    )
    channel = django_filters.MultipleChoiceFilter(label=_("channel"), choices=Channel.choices)
    event = django_filters.MultipleChoiceFilter(label=_("event"), choices=Event.choices)
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    route = django_filters.ModelChoiceFilter(label=_("route"), queryset=Route.objects.all())

    class Meta:
        model = OutboxMessage
        fields = ["status", "channel", "event", "zone", "route", "enterprise"]
