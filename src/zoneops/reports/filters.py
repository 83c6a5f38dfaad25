import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.reports.models import DispatchPack, DocumentCounter, Letterhead


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
            "number_year": ["exact"],
            "number": ["exact"],
            "document_number": ["icontains"],
            "issued_at": ["date__gte", "date__lte"],
            "issued_by": ["exact"],
        }


class LetterheadFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())

    class Meta:
        model = Letterhead
        fields = {
            "issuer": ["icontains"],
            "mark": ["icontains"],
            "code_prefix": ["exact"],
            "recipients": ["icontains"],
            "copy_to": ["icontains"],
            "printer": ["icontains"],
            "source": ["icontains"],
        }


class DocumentCounterFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())

    class Meta:
        model = DocumentCounter
        fields = {"year": ["exact"], "last_number": ["exact"], "source": ["icontains"]}
