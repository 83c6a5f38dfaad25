"""Serializer fields and helpers shared by the apps' APIs."""

from operator import attrgetter

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from zoneops.core import calendar


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
    department = serializers.PrimaryKeyRelatedField(
        source="case.department", read_only=True, allow_null=True
    )
    handler = serializers.PrimaryKeyRelatedField(
        source="case.handler", read_only=True, allow_null=True
    )
    deadline_provisional = DeadlineProvisionalField()


def service_call(func):
    """Run a service; its ValidationError/PermissionDenied become 400/403 responses."""
    try:
        return func()
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"detail": exc.messages}) from None
