import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.jobs.models import Job


class JobFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("state"), choices=Job.State.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Job.Kind.choices)
    title = django_filters.CharFilter(label=_("title"), lookup_expr="icontains")
    checksum = django_filters.CharFilter(label=_("SHA-256"))

    class Meta:
        model = Job
        fields = ["state", "kind", "title", "checksum", "user", "zone"]
