import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Department, User, Zone
from zoneops.core.ui.filters import EscalationAtLeastFilter, ScopedFilterSet
from zoneops.hazards import workflow
from zoneops.hazards.models import Category, Hazard, HazardPhoto, InspectionRound, Level


class HazardFilterSet(ScopedFilterSet):
    level = django_filters.ChoiceFilter(label=_("level"), choices=Level.choices)
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), field_name="case__state", choices=list(workflow.STATES.items())
    )
    category = django_filters.MultipleChoiceFilter(label=_("category"), choices=Category.choices)
    zone = django_filters.ModelChoiceFilter(
        label=_("zone"), queryset=Zone.objects.all(), method="filter_zone"
    )
    is_open = django_filters.BooleanFilter(label=_("open"), field_name="case__is_open")
    escalation = EscalationAtLeastFilter(
        label=_("escalation at least"), field_name="case__escalation"
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="case__department", queryset=Department.objects.all()
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("owner"), field_name="case__handler", queryset=User.objects.all()
    )
    case = django_filters.NumberFilter(label=_("closed-loop case id"))
    enterprise = django_filters.NumberFilter(label=_("enterprise id"))
    inspection = django_filters.NumberFilter(label=_("inspection round id"))
    found_after = django_filters.DateFilter(
        label=_("found from"), field_name="found_on", lookup_expr="gte"
    )
    found_before = django_filters.DateFilter(
        label=_("found until"), field_name="found_on", lookup_expr="lte"
    )

    mine = django_filters.BooleanFilter(label=_("mine"), method="filter_mine")

    class Meta:
        model = Hazard
        fields = {
            "title": ["icontains"],
            "place": ["icontains"],
            "description": ["icontains"],
            "remedy": ["icontains"],
            "found_by": ["exact"],
            "deadline": ["lte", "gte"],
            "rectified_on": ["isnull"],
            "verified_by": ["exact"],
            "verified_on": ["isnull"],
            "rework_count": ["gte"],
            "source": ["icontains"],
        }

    def filter_mine(self, queryset, name, value):
        """Hazards I own (rectify), or found."""
        from django.db.models import Q

        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(Q(case__handler=user) | Q(found_by=user))
        return queryset

    def filter_zone(self, queryset, name, value):
        return queryset.filter(zone__path__startswith=value.path) if value else queryset


class InspectionRoundFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    done = django_filters.BooleanFilter(
        label=_("done"), field_name="done_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = InspectionRound
        fields = {
            "title": ["icontains"],
            "planned_on": ["gte", "lte"],
            "done_on": ["gte", "lte"],
            "notes": ["icontains"],
            "source": ["icontains"],
        }


class HazardPhotoFilterSet(ScopedFilterSet):
    hazard = django_filters.NumberFilter(label=_("hazard id"))
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=HazardPhoto.Kind.choices)

    class Meta:
        model = HazardPhoto
        fields = {
            "attempt": ["exact"],
            "name": ["icontains"],
            "content_type": ["exact"],
            "size": ["lte"],
            "sha256": ["exact"],
            "uploaded_by": ["exact"],
            "source": ["icontains"],
        }
