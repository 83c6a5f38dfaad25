import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from zoneops.core.models import Department, User, Zone
from zoneops.core.ui.filters import LocatedFilterSet, ScopedFilterSet
from zoneops.enterprises import services
from zoneops.enterprises.models import (
    Certification,
    Contact,
    CultivationEntry,
    Enterprise,
    IdleRevival,
    IndustrialChain,
    Industry,
    LiaisonAssignment,
    MonthApproval,
    MonthlyFigure,
    RevivalGoal,
    ScaleUpApplication,
    SupportMeasure,
    Tier,
    Visit,
    VisitPhoto,
)


def _within(field_path: str):
    """A filter on a zone and everything below it."""

    def method(queryset, name, value):
        return (
            queryset.filter(**{f"{field_path}__path__startswith": value.path})
            if value
            else queryset
        )

    return method


def within_filter(field_path: str, label=None):
    return extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=label or _("zone (with sub-zones)"),
            queryset=Zone.objects.all(),
            field_name=field_path,
            method=_within(field_path),
        )
    )


def zone_filter():
    return django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())


def enterprise_filter():
    # By id or USCC: a drop-down of every enterprise would hold tens of thousands.
    return django_filters.CharFilter(
        label=_("enterprise (id or code)"), field_name="enterprise", method=_enterprise
    )


def _enterprise(queryset, name, value):
    value = (value or "").strip()
    if not value:
        return queryset
    if value.isdigit() and len(value) < 18:
        return queryset.filter(**{f"{name}_id": int(value)})
    return queryset.filter(**{f"{name}__uscc": value.upper()})


def user_filter(label):
    return django_filters.ModelChoiceFilter(label=label, queryset=User.objects.all())


class IndustryFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("level"), choices=Industry.Level.choices)
    section = django_filters.CharFilter(label=_("section"))
    code = django_filters.CharFilter(label=_("code"), lookup_expr="startswith")
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")
    parent = django_filters.CharFilter(label=_("parent"), field_name="parent__code")

    class Meta:
        model = Industry
        fields = ["level", "section", "code", "name", "parent"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from zoneops.core.ui.widgets import style_fields

        style_fields(self.form.fields)


class IndustrialChainFilterSet(ScopedFilterSet):
    zone = zone_filter()
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")
    description = django_filters.CharFilter(label=_("description"), lookup_expr="icontains")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = IndustrialChain
        fields = ["zone", "name", "description", "source"]


class EnterpriseFilterSet(LocatedFilterSet, ScopedFilterSet):
    within = within_filter("zone")
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=Enterprise.Status.choices
    )
    above_scale = django_filters.BooleanFilter(label=_("above scale"))
    tier = django_filters.ChoiceFilter(
        label=_("tier (highest held)"), choices=Tier.choices, method="filter_tier"
    )
    tier_held = django_filters.ChoiceFilter(
        label=_("holds tier"), choices=Tier.choices, method="filter_tier_held"
    )
    chain = django_filters.ModelChoiceFilter(
        label=_("industrial chain"), queryset=IndustrialChain.objects.all()
    )
    is_chain_leader = django_filters.BooleanFilter(label=_("chain leader"))
    industry = django_filters.CharFilter(
        label=_("industry code"), method="filter_industry", help_text=_("C27, 2761 …")
    )
    mine = django_filters.BooleanFilter(label=_("my enterprises"), method="filter_mine")
    zone = zone_filter()
    uscc = django_filters.CharFilter(label=_("unified social credit code"))
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")
    address = django_filters.CharFilter(label=_("address"), lookup_expr="icontains")
    founded_after = django_filters.DateFilter(
        label=_("founded on or after"), field_name="founded_on", lookup_expr="gte"
    )
    founded_before = django_filters.DateFilter(
        label=_("founded on or before"), field_name="founded_on", lookup_expr="lte"
    )
    capital_min = django_filters.NumberFilter(
        label=_("registered capital at least"), field_name="registered_capital", lookup_expr="gte"
    )
    above_scale_since = django_filters.DateFilter(label=_("above scale since"), lookup_expr="gte")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = Enterprise
        fields = []

    def filter_tier(self, queryset, name, value):
        return services.with_tier(queryset, value) if value else queryset

    def filter_tier_held(self, queryset, name, value):
        return services.holding(queryset, value) if value else queryset

    def filter_industry(self, queryset, name, value):
        from zoneops.enterprises.industries import clean_code

        code = clean_code(value)
        if not code:
            return queryset
        if code.isalpha():
            return queryset.filter(industry__section=code)
        return queryset.filter(industry__code__startswith=code)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(liaison_assignments__user=user)
        return queryset


class ContactFilterSet(ScopedFilterSet):
    enterprise = enterprise_filter()
    within = within_filter("enterprise__zone")
    name = django_filters.CharFilter(label=_("name"), lookup_expr="icontains")
    role = django_filters.CharFilter(label=_("role"), lookup_expr="icontains")
    phone = django_filters.CharFilter(label=_("phone"), method="filter_phone")
    is_primary = django_filters.BooleanFilter(label=_("primary contact"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = Contact
        fields = []

    def filter_phone(self, queryset, name, value):
        # Whoever may not read phones may not probe them digit by digit either.
        if not value or not services.may_see_phones(getattr(self.request, "user", None)):
            return queryset
        return queryset.filter(phone__contains=value)


EXPIRY_CHOICES = ((30, _("30 days")), (60, _("60 days")), (90, _("90 days")))


class CertificationFilterSet(ScopedFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=Certification.Kind.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=Certification.Level.choices)
    within = within_filter("zone")
    valid = django_filters.BooleanFilter(label=_("valid today"), method="filter_valid")
    expiring_within = extend_schema_field(OpenApiTypes.INT)(
        django_filters.TypedChoiceFilter(
            label=_("expiring within"),
            choices=EXPIRY_CHOICES,
            coerce=int,
            method="filter_expiring",
        )
    )
    enterprise = enterprise_filter()
    certificate_no = django_filters.CharFilter(label=_("certificate number"))
    issued_on = django_filters.DateFromToRangeFilter(label=_("issued on"))
    expires_on = django_filters.DateFromToRangeFilter(label=_("expires on"))
    rank = django_filters.ChoiceFilter(
        label=_("tier"),
        choices=[(rank, label) for rank, (_v, label) in enumerate(Tier.choices, start=1)],
    )
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = Certification
        fields = []

    def filter_valid(self, queryset, name, value):
        if value is None:
            return queryset
        condition = services.valid_on(services.today())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_expiring(self, queryset, name, value):
        return services.expiring(queryset, value) if value else queryset


class LiaisonAssignmentFilterSet(ScopedFilterSet):
    user = user_filter(_("liaison cadre"))
    enterprise = enterprise_filter()
    within = within_filter("enterprise__zone")
    is_lead = django_filters.BooleanFilter(label=_("lead cadre"))
    since = django_filters.DateFromToRangeFilter(label=_("since"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = LiaisonAssignment
        fields = []


class VisitFilterSet(ScopedFilterSet):
    visited_on = django_filters.DateFromToRangeFilter(label=_("visited on"))
    cadre = user_filter(_("cadre"))
    within = within_filter("enterprise__zone")
    enterprise = enterprise_filter()
    people_met = django_filters.CharFilter(label=_("people met"), lookup_expr="icontains")
    findings = django_filters.CharFilter(label=_("findings"), lookup_expr="icontains")
    appeals_raised = django_filters.CharFilter(label=_("appeals raised"), lookup_expr="icontains")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = Visit
        fields = []


class VisitPhotoFilterSet(ScopedFilterSet):
    visit = django_filters.NumberFilter(label=_("visit id"))

    class Meta:
        model = VisitPhoto
        fields = {
            "name": ["icontains"],
            "content_type": ["exact"],
            "size": ["lte"],
            "sha256": ["exact"],
            "uploaded_by": ["exact"],
            "source": ["icontains"],
        }


class CultivationEntryFilterSet(ScopedFilterSet):
    target = django_filters.MultipleChoiceFilter(
        label=_("target"), choices=CultivationEntry.Target.choices
    )
    target_year = django_filters.NumberFilter(label=_("target year"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=CultivationEntry.Status.choices)
    within = within_filter("enterprise__zone")
    enterprise = enterprise_filter()
    entered_on = django_filters.DateFromToRangeFilter(label=_("entered on"))
    progress = django_filters.CharFilter(label=_("progress notes"), lookup_expr="icontains")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = CultivationEntry
        fields = []


class ScaleUpApplicationFilterSet(ScopedFilterSet):
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), choices=ScaleUpApplication.State.choices
    )
    year = django_filters.NumberFilter(label=_("statistical year"))
    within = within_filter("enterprise__zone")
    enterprise = enterprise_filter()
    applied_on = django_filters.DateFromToRangeFilter(label=_("applied on"))
    decided_on = django_filters.DateFromToRangeFilter(label=_("decided on"))
    admitted_on = django_filters.DateFromToRangeFilter(label=_("in the register since"))
    refusal_reason = django_filters.CharFilter(
        label=_("reason for refusal"), lookup_expr="icontains"
    )
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = ScaleUpApplication
        fields = []


class SupportMeasureFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=SupportMeasure.Status.choices)
    cadre = user_filter(_("responsible cadre"))
    department = django_filters.ModelChoiceFilter(
        label=_("responsible department"), queryset=Department.objects.all()
    )
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    within = within_filter("entry__enterprise__zone")
    entry = django_filters.ModelChoiceFilter(
        label=_("cultivation pool entry"),
        queryset=CultivationEntry.objects.select_related("enterprise"),
    )
    measure = django_filters.CharFilter(label=_("measure"), lookup_expr="icontains")
    due_on = django_filters.DateFromToRangeFilter(label=_("due on"))
    done_on = django_filters.DateFromToRangeFilter(label=_("done on"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = SupportMeasure
        fields = []

    def filter_overdue(self, queryset, name, value):
        late = Q(due_on__lt=services.today()) & ~Q(status=SupportMeasure.Status.DONE)
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)


class IdleRevivalFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=IdleRevival.Status.choices
    )
    within = within_filter("enterprise__zone")
    cadre = user_filter(_("responsible cadre"))
    enterprise = enterprise_filter()
    cause = django_filters.CharFilter(label=_("cause of idleness"), lookup_expr="icontains")
    plan = django_filters.CharFilter(label=_("revival plan"), lookup_expr="icontains")
    resolved_on = django_filters.DateFromToRangeFilter(label=_("resolved on"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = IdleRevival
        fields = []


class RevivalGoalFilterSet(ScopedFilterSet):
    zone = zone_filter()
    year = django_filters.NumberFilter(label=_("year"))
    target = django_filters.NumberFilter(label=_("enterprises to revive"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = RevivalGoal
        fields = []


class MonthlyFigureFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    month = django_filters.NumberFilter(label=_("month"))
    within = within_filter("enterprise__zone")
    enterprise = enterprise_filter()
    main_revenue = django_filters.RangeFilter(label=_("main revenue, ytd (10k yuan)"))
    output_value = django_filters.RangeFilter(label=_("industrial output value, ytd (10k yuan)"))
    tax_paid = django_filters.RangeFilter(label=_("tax paid, ytd (10k yuan)"))
    employees = django_filters.RangeFilter(label=_("employees"))
    rd_expense = django_filters.RangeFilter(label=_("R&D expense, ytd (10k yuan)"))
    energy_use = django_filters.RangeFilter(label=_("energy use, ytd (t standard coal)"))
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = MonthlyFigure
        fields = []


class MonthApprovalFilterSet(ScopedFilterSet):
    zone = zone_filter()
    year = django_filters.NumberFilter(label=_("year"))
    month = django_filters.NumberFilter(label=_("month"))
    approved = django_filters.BooleanFilter(label=_("approved"))
    approved_by = user_filter(_("approved by"))
    approved_at = django_filters.DateFromToRangeFilter(
        label=_("approved at"), field_name="approved_at__date"
    )
    reopened_by = user_filter(_("reopened by"))
    reopened_at = django_filters.DateFromToRangeFilter(
        label=_("reopened at"), field_name="reopened_at__date"
    )
    reason = django_filters.CharFilter(label=_("reason for reopening"), lookup_expr="icontains")
    source = django_filters.CharFilter(label=_("source"), lookup_expr="icontains")

    class Meta:
        model = MonthApproval
        fields = []
