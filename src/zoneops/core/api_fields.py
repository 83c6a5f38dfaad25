"""Serializer fields shared by the apps' APIs."""

from operator import attrgetter

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
