import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.appeals import workflow
from zoneops.appeals.models import Appeal, Attachment, Category, Channel, Submission
from zoneops.core.models import Department, User, Zone
from zoneops.core.ui.filters import EscalationFilter, ScopedFilterSet


class AppealFilterSet(ScopedFilterSet):
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), field_name="case__state", choices=list(workflow.STATES.items())
    )
    escalation = EscalationFilter(
        label=_("escalation"),
        field_name="case__escalation",
        choices=list(workflow.ESCALATION_LABELS.items()),
    )
    category = django_filters.MultipleChoiceFilter(label=_("category"), choices=Category.choices)
    zone = django_filters.ModelChoiceFilter(
        label=_("zone"), queryset=Zone.objects.all(), method="filter_zone"
    )
    is_open = django_filters.BooleanFilter(label=_("open"), field_name="case__is_open")
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="case__department", queryset=Department.objects.all()
    )
    handler = django_filters.ModelChoiceFilter(
        label=_("handler"), field_name="case__handler", queryset=User.objects.all()
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    due_before = django_filters.DateFilter(
        label=_("due before"), field_name="case__due_date", lookup_expr="lte"
    )
    opened_after = django_filters.DateFilter(
        label=_("submitted from"), field_name="case__opened_on", lookup_expr="gte"
    )
    opened_before = django_filters.DateFilter(
        label=_("submitted until"), field_name="case__opened_on", lookup_expr="lte"
    )
    # Ids rather than choice lists: these tables are large, and rows are zone-scoped anyway.
    enterprise = django_filters.NumberFilter(label=_("enterprise id"))
    visit = django_filters.NumberFilter(label=_("visit id"))
    submission = django_filters.NumberFilter(label=_("submission id"))
    case = django_filters.NumberFilter(label=_("closed-loop case id"))
    tags = django_filters.CharFilter(label=_("tags"), lookup_expr="icontains")
    tracking_number = django_filters.CharFilter(
        label=_("tracking number"), field_name="submission__tracking_number"
    )
    rating = django_filters.MultipleChoiceFilter(
        label=_("satisfaction"), choices=[(i, str(i)) for i in range(1, 6)]
    )

    mine = django_filters.BooleanFilter(label=_("mine"), method="filter_mine")

    class Meta:
        model = Appeal
        fields = {
            "title": ["icontains"],
            "description": ["icontains"],
            "multi_department": ["exact"],
            "accept_due": ["lte"],
            "answer_due": ["lte"],
            "accepted_on": ["isnull"],
            "answered_on": ["isnull"],
            "replied_on": ["gte", "lte"],
            "coordination": ["exact"],
            "closed_by": ["exact"],
            "close_working_days": ["lte", "gte"],
            "closed_on_time": ["exact"],
            "reopen_count": ["gte"],
            "rating_comment": ["icontains"],
            "rated_at": ["date__gte", "date__lte"],
            "source": ["icontains"],
        }

    def filter_mine(self, queryset, name, value):
        """Appeals I handle, or that were raised on my visits."""
        from django.db.models import Q

        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(Q(case__handler=user) | Q(visit__cadre=user))
        return queryset

    def filter_zone(self, queryset, name, value):
        return queryset.filter(zone__path__startswith=value.path) if value else queryset


class SubmissionFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)

    class Meta:
        model = Submission
        fields = {
            "tracking_number": ["exact"],
            "enterprise_name": ["icontains"],
            "uscc": ["exact"],
            "contact_name": ["icontains"],
            "contact_phone": ["endswith"],
            "client_key": ["exact"],
            "nonce": ["exact"],
            "source": ["icontains"],
        }


class AttachmentFilterSet(ScopedFilterSet):
    appeal = django_filters.NumberFilter(label=_("appeal id"))

    class Meta:
        model = Attachment
        fields = {
            "name": ["icontains"],
            "content_type": ["exact"],
            "size": ["lte", "gte"],
            "sha256": ["exact"],
            "uploaded_by": ["exact"],
            "source": ["icontains"],
        }
