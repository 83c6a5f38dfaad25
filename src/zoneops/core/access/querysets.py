from django.db import models

from zoneops.core.access.permissions import VIEW, role_may


class RestrictedQuerySet(models.QuerySet):
    """The single place where rows are filtered by what a user may see or change."""

    def restrict(self, user, action: str = VIEW) -> "RestrictedQuerySet":
        if not role_may(user, action, self.model):
            return self.none()
        if user.sees_all_zones:
            return self
        lookup = getattr(self.model, "zone_lookup", "zone")
        return self.filter(**{f"{lookup}__in": user.visible_zone_ids()})
