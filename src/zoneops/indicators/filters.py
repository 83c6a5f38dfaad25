import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.indicators.models import Indicator, IndicatorValue, MonthClose, Target


class WithinZoneMixin(django_filters.FilterSet):
    within = django_filters.ModelChoiceFilter(
        label=_("within zone"),
        field_name="zone",
        queryset=Zone.objects.all(),
        method="filter_within",
    )

    def filter_within(self, queryset, name, value):
        return queryset.filter(zone__path__startswith=value.path) if value else queryset


class IndicatorFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Indicator.Kind.choices)
    direction = django_filters.ChoiceFilter(
        label=_("direction"), choices=Indicator.Direction.choices
    )
    origin = django_filters.ChoiceFilter(
        label=_("how values are obtained"), choices=Indicator.Origin.choices
    )
    is_active = django_filters.BooleanFilter(label=_("active"))
    code = django_filters.CharFilter(label=_("code"), lookup_expr="icontains")
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")

    class Meta:
        model = Indicator
        fields = {
            "kind": ["exact"],
            "direction": ["exact"],
            "origin": ["exact"],
            "is_active": ["exact"],
            "code": ["icontains"],
            "name": ["icontains"],
            "unit": ["exact"],
            "sort_order": ["exact"],
            "description": ["icontains"],
            "source": ["icontains"],
        }


class IndicatorValueFilterSet(WithinZoneMixin, ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    indicator = django_filters.ModelChoiceFilter(
        label=_("indicator"), queryset=Indicator.objects.all()
    )
    year = django_filters.NumberFilter(label=_("year"))
    month = django_filters.NumberFilter(label=_("month"))
    needs_review = django_filters.BooleanFilter(label=_("needs review"))
    yoy_reported = django_filters.BooleanFilter(label=_("growth as reported"))

    class Meta:
        model = IndicatorValue
        fields = {
            "zone": ["exact"],
            "indicator": ["exact"],
            "year": ["exact"],
            "month": ["exact"],
            "needs_review": ["exact"],
            "yoy_reported": ["exact"],
            "value": ["gte", "lte"],
            "yoy": ["gte", "lte"],
            "review_note": ["icontains"],
            "source": ["icontains"],
        }


class TargetFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    indicator = django_filters.ModelChoiceFilter(
        label=_("indicator"), queryset=Indicator.objects.all()
    )
    year = django_filters.NumberFilter(label=_("year"))
    department = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=Department.objects.all()
    )

    class Meta:
        model = Target
        fields = {
            "zone": ["exact"],
            "indicator": ["exact"],
            "year": ["exact"],
            "department": ["exact"],
            "value": ["gte", "lte"],
            "growth": ["gte", "lte"],
            "note": ["icontains"],
            "source": ["icontains"],
        }


class MonthCloseFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    year = django_filters.NumberFilter(label=_("year"))
    month = django_filters.NumberFilter(label=_("month"))
    is_locked = django_filters.BooleanFilter(label=_("locked"))

    class Meta:
        model = MonthClose
        fields = {
            "zone": ["exact"],
            "year": ["exact"],
            "month": ["exact"],
            "is_locked": ["exact"],
            "approved_by": ["exact"],
            "approved_at": ["date__gte", "date__lte"],
            "reopened_by": ["exact"],
            "reopened_at": ["date__gte", "date__lte"],
            "reopen_reason": ["icontains"],
            "source": ["icontains"],
        }
