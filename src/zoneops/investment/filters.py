import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from zoneops.core.models import Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.investment.models import (
    AnnualTarget,
    Event,
    FollowUp,
    FundsInPlace,
    Lead,
    Signing,
    StageChange,
)
from zoneops.investment.regions import REGION_CHOICES


def within(queryset, value, prefix=""):
    if not value:
        return queryset
    return queryset.filter(**{f"{prefix}zone__path__startswith": value.path})


class WithinFilterSet(ScopedFilterSet):
    zone_prefix = ""
    within = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("within zone"), queryset=Zone.objects.all(), method="filter_within"
        )
    )

    def filter_within(self, queryset, name, value):
        return within(queryset, value, self.zone_prefix)


class LeadFilterSet(WithinFilterSet):
    stage = django_filters.MultipleChoiceFilter(label=_("lead stage"), choices=Lead.Stage.choices)
    method = django_filters.MultipleChoiceFilter(
        label=_("attraction method"), choices=Lead.Method.choices
    )
    source_region = django_filters.MultipleChoiceFilter(
        label=_("source region"), choices=REGION_CHOICES
    )
    overdue = django_filters.BooleanFilter(label=_("response overdue"), method="filter_overdue")
    zone = django_filters.NumberFilter(label=_("zone"), field_name="zone")
    project = django_filters.NumberFilter(label=_("landed project"), field_name="project")
    enterprise = django_filters.NumberFilter(label=_("enterprise"), field_name="enterprise")
    landed = django_filters.BooleanFilter(
        label=_("landed"), field_name="project", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Lead
        fields = {
            "name": ["icontains"],
            "investor_company": ["icontains"],
            "contact_name": ["icontains"],
            "contact_phone": ["exact"],
            "source_division": ["exact", "startswith"],
            "industry": ["icontains"],
            "chain": ["icontains"],
            "intended_investment": ["gte", "lte"],
            "responsible": ["exact"],
            "stage_changed_on": ["gte", "lte"],
            "stage_reached": ["gte"],
            "terminated_reason": ["icontains"],
            "received_on": ["gte", "lte"],
            "first_contact_due": ["lte"],
            "first_contact_on": ["isnull"],
            "assessment_due": ["lte"],
            "assessed_on": ["isnull"],
            "landed_on": ["gte", "lte"],
            "source": ["icontains"],
        }

    def filter_overdue(self, queryset, name, value):
        from django.db.models import F, Q

        today = timezone.localdate()
        late = (
            Q(first_contact_on__isnull=True, first_contact_due__lt=today)
            | Q(first_contact_on__gt=F("first_contact_due"))
            | Q(assessed_on__isnull=True, assessment_due__lt=today)
            | Q(assessed_on__gt=F("assessment_due"))
        )
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)


class LeadChildFilterSet(WithinFilterSet):
    zone_prefix = "lead__"
    lead = django_filters.NumberFilter(label=_("investment lead"), field_name="lead")


class StageChangeFilterSet(LeadChildFilterSet):
    class Meta:
        model = StageChange
        fields = {
            "from_stage": ["exact"],
            "to_stage": ["exact"],
            "changed_on": ["gte", "lte"],
            "actor": ["exact"],
            "comment": ["icontains"],
            "source": ["icontains"],
        }


class FollowUpFilterSet(LeadChildFilterSet):
    class Meta:
        model = FollowUp
        fields = {
            "date": ["gte", "lte"],
            "kind": ["exact"],
            "text": ["icontains"],
            "actor": ["exact"],
            "source": ["icontains"],
        }


class EventFilterSet(WithinFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=Event.Kind.choices)
    zone = django_filters.NumberFilter(label=_("zone"), field_name="zone")

    class Meta:
        model = Event
        fields = {
            "name": ["icontains"],
            "date": ["gte", "lte"],
            "location": ["icontains"],
            "source": ["icontains"],
        }


class SigningFilterSet(LeadChildFilterSet):
    event = django_filters.NumberFilter(label=_("signing event"), field_name="event")

    class Meta:
        model = Signing
        fields = {
            "signed_on": ["gte", "lte"],
            "amount": ["gte", "lte"],
            "is_capital_increase": ["exact"],
            "counted": ["exact"],
            "counted_amount": ["gte", "lte"],
            "source": ["icontains"],
        }


class FundsInPlaceFilterSet(LeadChildFilterSet):
    class Meta:
        model = FundsInPlace
        fields = {
            "year": ["exact"],
            "month": ["exact"],
            "amount": ["gte", "lte"],
            "source": ["icontains"],
        }


class AnnualTargetFilterSet(WithinFilterSet):
    zone = django_filters.NumberFilter(label=_("zone"), field_name="zone")

    class Meta:
        model = AnnualTarget
        fields = {
            "year": ["exact"],
            "signed_landed": ["gte"],
            "funds_in_place": ["gte"],
            "big_projects_started": ["gte"],
            "source": ["icontains"],
        }
