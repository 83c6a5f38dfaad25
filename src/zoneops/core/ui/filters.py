import copy

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from zoneops.core.accounts.models import SecurityEvent
from zoneops.core.audit.models import ObjectChange
from zoneops.core.loop import workflows as loop
from zoneops.core.loop.models import LoopCase
from zoneops.core.ui.widgets import style_fields
from zoneops.core.zones.models import Department, Zone


def at_escalation(levels, *, prefix: str = "case__") -> Q:
    """Cases whose escalation as of today (``loop.current_escalation``) is one of ``levels``:
    what the badges show, not what the last ``zoneops tick`` stored."""
    wanted = Q(pk__in=[])
    for level in sorted(int(v) for v in levels):
        at_least = loop.escalation_q(level, prefix=prefix) if level else Q()
        above = (
            loop.escalation_q(level + 1, prefix=prefix)
            if level < LoopCase.Escalation.LEADER
            else Q(pk__in=[])
        )
        wanted |= at_least & ~above
    return wanted


class EscalationFilter(django_filters.MultipleChoiceFilter):
    """Escalation levels of a record's closed-loop case, as of today."""

    def filter(self, qs, value):
        if not value:
            return qs
        prefix = self.field_name.removesuffix("escalation")
        return qs.filter(at_escalation(value, prefix=prefix))


class EscalationAtLeastFilter(django_filters.NumberFilter):
    """A closed-loop case's escalation at or above a level, as of today."""

    def filter(self, qs, value):
        if value in (None, "") or int(value) <= 0:
            return qs
        prefix = self.field_name.removesuffix("escalation")
        return qs.filter(loop.escalation_q(int(value), prefix=prefix))


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose record choices are limited to what the requesting user may see."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            # Record filters keep their choices in ``queryset`` (django-filter copies it over
            # ``extra["queryset"]`` when it builds the field): restrict it there.
            queryset = getattr(filter_, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "restrict"):
                filter_.queryset = queryset.restrict(user, "view")
        style_fields(self.form.fields)


_CODED_FILTERSETS: dict = {}


def coded_filterset(filterset_class):
    """The API's form of a FilterSet: one key per reference, as in the bodies.

    A record filter whose model has an ``API_KEY`` (a zone, an industry, a department, an
    indicator) takes that code (``?zone=CCGX``, ``?industry=3911``, ``?department=CCGX-JF``),
    and ``<name>_id`` beside it takes the id, with the same meaning (within-zone filters
    included). Pages keep the FilterSet as declared (their pickers send ids). Built once per
    class."""
    if filterset_class is None:
        return None
    built = _CODED_FILTERSETS.get(filterset_class)
    if built is not None:
        return built
    declared = {}
    for name, filter_ in filterset_class.base_filters.items():
        model = getattr(getattr(filter_, "queryset", None), "model", None)
        key = getattr(model, "API_KEY", None)
        if key is None or filter_.extra.get("to_field_name"):
            continue
        by_code = copy.deepcopy(filter_)
        by_code.extra["to_field_name"] = key
        set_override(by_code, "field", OpenApiTypes.STR)
        declared[name] = by_code
        if f"{name}_id" not in filterset_class.base_filters:
            by_id = copy.deepcopy(filter_)
            by_id.label = format_lazy("{} (id)", filter_.label or name)
            set_override(by_id, "field", OpenApiTypes.INT)
            declared[f"{name}_id"] = by_id
    built = filterset_class
    if declared:
        built = type(filterset_class.__name__, (filterset_class,), {})
        built.base_filters = {**filterset_class.base_filters, **declared}
    _CODED_FILTERSETS[filterset_class] = built
    return built


class ZoneFilterSet(ScopedFilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=Zone.Kind.choices)
    parent = django_filters.ModelChoiceFilter(label=_("parent zone"), queryset=Zone.objects.all())
    within = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("within zone"), queryset=Zone.objects.all(), method="filter_within"
        )
    )
    division_code = django_filters.CharFilter(
        label=_("administrative division code"), lookup_expr="startswith"
    )

    class Meta:
        model = Zone
        fields = ["kind", "parent", "within", "division_code", "code", "name", "source"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset


class DepartmentFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())

    class Meta:
        model = Department
        fields = ["zone", "name", "code", "source"]


def _audited_types():
    from zoneops.core.zones.models import ZoneopsModel

    ids = [
        ContentType.objects.get_for_model(model).pk
        for model in ZoneopsModel.__subclasses__()
        if not model._meta.abstract
    ]
    return ContentType.objects.filter(pk__in=ids)


class ObjectChangeFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("action"), choices=ObjectChange.Action.choices)
    user_name = django_filters.CharFilter(label=_("user name"))
    content_type = django_filters.ModelChoiceFilter(
        label=_("object type"), queryset=ContentType.objects.none()
    )
    time_after = django_filters.DateFilter(
        label=_("from"), field_name="time", lookup_expr="date__gte"
    )
    time_before = django_filters.DateFilter(
        label=_("to"), field_name="time", lookup_expr="date__lte"
    )
    object_id = django_filters.NumberFilter(label=_("object id"))
    request_id = django_filters.UUIDFilter(label=_("request id"))
    zone_id = django_filters.NumberFilter(label=_("zone id"))

    class Meta:
        model = ObjectChange
        fields = ["action", "user_name", "content_type", "object_id", "request_id", "zone_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["content_type"].queryset = _audited_types()
        style_fields(self.form.fields)


class SecurityEventFilterSet(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label=_("event"), choices=SecurityEvent.Type.choices)
    username = django_filters.CharFilter(label=_("user name"))
    address = django_filters.CharFilter(label=_("address"))
    time_after = django_filters.DateFilter(
        label=_("from"), field_name="time", lookup_expr="date__gte"
    )
    time_before = django_filters.DateFilter(
        label=_("to"), field_name="time", lookup_expr="date__lte"
    )

    class Meta:
        model = SecurityEvent
        fields = ["type", "username", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.form.fields)


# Words appended to a field's name in generated filter labels ("受理日期 ≥"); see CoreConfig.
VERBOSE_LOOKUPS = {
    "exact": "",
    "iexact": "",
    "date": "",  # "closed at ≥" rather than "closed at date ≥"
    "year": _("year"),
    "month": _("month"),
    "contains": _("contains"),
    "icontains": _("contains"),
    "in": _("is one of"),
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "startswith": _("starts with"),
    "istartswith": _("starts with"),
    "range": _("between"),
    "isnull": _("is empty"),
}


def loop_kinds() -> list[tuple[str, str]]:
    return [(kind, workflow.label) for kind, workflow in loop.registered().items()]


def loop_states() -> list[tuple[str, str]]:
    """Every workflow's states; a name shared by two workflows is offered once."""
    states: dict[str, str] = {}
    for workflow in loop.registered().values():
        for name, label in workflow.states.items():
            states.setdefault(name, label)
    return list(states.items())


class LoopCaseFilterSet(ScopedFilterSet):
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=loop_kinds)
    state = django_filters.ChoiceFilter(label=_("state"), choices=loop_states)
    is_open = django_filters.BooleanFilter(label=_("open"))
    escalation = django_filters.MultipleChoiceFilter(
        label=_("escalation"), choices=LoopCase.Escalation.choices, method="filter_escalation"
    )
    due_before = django_filters.DateFilter(
        label=_("due before"), field_name="due_date", lookup_expr="lte"
    )

    def filter_escalation(self, queryset, name, value):
        """The level as of today (``loop.current_escalation``), as the badges show it."""
        if not value:
            return queryset
        return queryset.filter(at_escalation(value, prefix=""))

    class Meta:
        model = LoopCase
        fields = {
            "kind": ["exact"],
            "state": ["exact"],
            "department": ["exact"],
            "handler": ["exact"],
            "title": ["icontains"],
            "opened_on": ["gte", "lte"],
            "limit_working_days": ["exact"],
            "due_date": ["gte", "lte"],
            "paused_on": ["isnull"],
            "closed_at": ["date__gte", "date__lte"],
            "source": ["icontains"],
        }


class LocatedFilterSet(django_filters.FilterSet):
    """Filters for models with a map point: whether one is set, and a bounding box."""

    located = django_filters.BooleanFilter(
        field_name="longitude", lookup_expr="isnull", exclude=True, label=_("has a location")
    )
    # Typed for the schema: mapping the model fields would trip over their float limits.
    longitude = extend_schema_field(OpenApiTypes.NUMBER)(
        django_filters.RangeFilter(label=_("longitude"))
    )
    latitude = extend_schema_field(OpenApiTypes.NUMBER)(
        django_filters.RangeFilter(label=_("latitude"))
    )
