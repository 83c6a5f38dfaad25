import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filters import ScopedFilterSet
from zoneops.core.models import Zone
from zoneops.reports.models import DispatchPack


class DispatchPackFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())

    class Meta:
        model = DispatchPack
        fields = {
            "year": ["exact"],
            "month": ["exact"],
            "title": ["icontains"],
            "created_by": ["exact"],
            "source": ["icontains"],
        }
