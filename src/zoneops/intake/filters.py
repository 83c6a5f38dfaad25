import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import User, Zone
from zoneops.core.ui.filters import ScopedFilterSet
from zoneops.intake.models import Document, Statement


class DocumentFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    title = django_filters.CharFilter(label=_("title"), lookup_expr="icontains")
    date_after = django_filters.DateFilter(label=_("from"), field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(label=_("to"), field_name="date", lookup_expr="lte")
    file_name = django_filters.CharFilter(label=_("file name"), lookup_expr="icontains")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")
    registered_by = django_filters.ModelChoiceFilter(
        label=_("registered by"), queryset=User.objects.all()
    )

    class Meta:
        model = Document
        fields = ["zone", "title", "file_name", "source", "registered_by"]


class StatementFilterSet(ScopedFilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("state"), choices=Statement.State.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Statement.Kind.choices)
    document = django_filters.ModelChoiceFilter(label=_("article"), queryset=Document.objects.all())
    indicator = django_filters.CharFilter(label=_("indicator code"))
    measure = django_filters.CharFilter(label=_("what it measures"), lookup_expr="icontains")
    subject = django_filters.CharFilter(label=_("subject"), lookup_expr="icontains")
    sentence = django_filters.CharFilter(label=_("clause"), lookup_expr="icontains")
    period = django_filters.CharFilter(label=_("period"), lookup_expr="startswith")
    unit = django_filters.CharFilter(label=_("unit"))
    qualifier = django_filters.CharFilter(label=_("qualifier"))
    value_min = django_filters.NumberFilter(
        label=_("value from"), field_name="value", lookup_expr="gte"
    )
    value_max = django_filters.NumberFilter(
        label=_("value to"), field_name="value", lookup_expr="lte"
    )
    growth_pct = django_filters.NumberFilter(label=_("growth (%)"))
    reviewed_by = django_filters.ModelChoiceFilter(
        label=_("reviewed by"), queryset=User.objects.all()
    )
    reviewed_after = django_filters.DateFilter(
        label=_("reviewed from"), field_name="reviewed_at", lookup_expr="date__gte"
    )
    conflicting = django_filters.BooleanFilter(
        label=_("contradicts an accepted figure"),
        field_name="conflicts_with",
        lookup_expr="isnull",
        exclude=True,
    )
    outcome = django_filters.MultipleChoiceFilter(
        label=_("written to"), choices=Statement.Outcome.choices
    )
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = Statement
        fields = ["state", "kind", "document", "indicator", "unit"]
