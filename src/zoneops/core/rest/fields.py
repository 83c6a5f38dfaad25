"""Serializer fields and helpers shared by the apps' APIs."""

from operator import attrgetter

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from zoneops.core.calendar import workdays as calendar


class DeadlineProvisionalField(serializers.BooleanField):
    """Whether a working-day deadline was counted on a year whose holiday notice is not
    entered yet (暂定): it will move when the notice is entered."""

    def __init__(self, due: str = "case.due_date", start: str = "case.opened_on", **kwargs):
        self.due_of, self.start_of = attrgetter(due), attrgetter(start)
        kwargs.setdefault(
            "help_text",
            "True when the deadline counts a year without the State Council's holiday notice "
            "(暂定): statutory holidays only; it is recomputed when the notice is entered.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> bool:
        try:
            due, start = self.due_of(instance), self.start_of(instance)
        except AttributeError:
            return False
        return calendar.is_provisional(due, start)


class CodeChoiceField(serializers.ChoiceField):
    """A choice of codes, in the schema an enum with its labels (named in settings'
    ENUM_NAME_OVERRIDES where choice sets of the same field name differ between apps)."""


class LoopSerializerMixin(serializers.Serializer):
    state = serializers.CharField(source="case.state", read_only=True)
    is_open = serializers.BooleanField(source="case.is_open", read_only=True)
    escalation = serializers.IntegerField(source="case.escalation", read_only=True)
    due_date = serializers.DateField(source="case.due_date", read_only=True)
    limit_working_days = serializers.IntegerField(source="case.limit_working_days", read_only=True)
    department = serializers.SlugRelatedField(
        source="case.department", slug_field="code", read_only=True, allow_null=True
    )
    department_id = serializers.IntegerField(
        source="case.department_id", read_only=True, allow_null=True
    )
    handler = serializers.PrimaryKeyRelatedField(
        source="case.handler", read_only=True, allow_null=True
    )
    deadline_provisional = DeadlineProvisionalField()


class DepartmentCodeField(serializers.SlugRelatedField):
    """A department written as its code (unique across zones), as it is read."""

    def __init__(self, **kwargs):
        from zoneops.core.zones.models import Department

        kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(slug_field="code", **kwargs)


def service_call(func):
    """Run a service; its ValidationError/PermissionDenied become 400/403 responses."""
    try:
        return func()
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"detail": exc.messages}) from None


class CodedReferencesSerializer(serializers.ModelSerializer):
    """A model serializer whose references to coded records (a model with ``API_KEY``: a zone,
    an industry) are read and written the same way, as that code; the id is there too, read
    only, as ``<field>_id``. Every app's serializers build on it (one key per reference)."""

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        key = getattr(relation_info.related_model, "API_KEY", None)
        if key and not relation_info.reverse and not relation_info.to_many:
            field_class, kwargs["slug_field"] = serializers.SlugRelatedField, key
        return field_class, kwargs

    def get_fields(self):
        fields = super().get_fields()
        for name, field in list(fields.items()):
            if not isinstance(field, serializers.SlugRelatedField):
                continue
            source = field.source or name  # not bound yet
            queryset_model = getattr(getattr(field, "queryset", None), "model", None)
            model = queryset_model or _related_model(self, source)
            if (
                model is not None
                and getattr(model, "API_KEY", None) == field.slug_field
                and "." not in source
                and f"{name}_id" not in fields
            ):
                extra = {} if source == name else {"source": f"{source}_id"}
                fields[f"{name}_id"] = serializers.IntegerField(
                    read_only=True, allow_null=field.allow_null, **extra
                )
        return fields


def _related_model(serializer, source: str):
    meta = getattr(serializer, "Meta", None)
    try:
        return meta.model._meta.get_field(source).related_model
    except Exception:  # not a model field of this serializer
        return None
