"""The zone tree's rules: only the system administrator changes it; no cycle; no deletion of a zone
that still holds data."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.core.registries import writes
from zoneops.core.zones.models import Zone


def _refuse_unless_system_admin(user) -> None:
    # ``acting_user=None`` is the system itself (seeding, generators, commands).
    if user is not None and getattr(user, "role", None) != "admin":
        raise PermissionDenied(_("Only the system administrator changes the zone tree."))


def check_zone_tree(zone: Zone, parent: Zone | None, *, acting_user) -> None:
    """Refuse a change of the tree: by anyone but the system administrator, a non-top zone
    made top-level, or a zone moved below itself or one of its sub-zones (a cycle)."""
    _refuse_unless_system_admin(acting_user)
    if not zone.pk:
        return
    stored = Zone.objects.filter(pk=zone.pk).values("parent_id", "path").first()
    if stored is None:
        return
    if parent is None and stored["parent_id"] is not None:
        raise ValidationError({"parent": _("A zone below another cannot become a top-level zone.")})
    if parent is not None and (
        parent.pk == zone.pk
        or Zone.objects.filter(pk=parent.pk, path__startswith=stored["path"]).exists()
    ):
        raise ValidationError(
            {"parent": _("A zone cannot move below itself or one of its sub-zones.")}
        )


@transaction.atomic
def save_zone(zone: Zone, *, acting_user, fields=None) -> Zone:
    """Add or change a zone: the system administrator's alone, and never into a cycle."""
    check_zone_tree(zone, zone.parent, acting_user=acting_user)
    return writes.save_object(zone, acting_user=acting_user, fields=fields)


def zone_data(zone: Zone) -> list[str]:
    """The kinds of record still held by the zone (sub-zones, accounts granted it, data)."""
    held = []
    for relation in Zone._meta.related_objects:
        accessor = relation.get_accessor_name()
        if relation.many_to_many:
            exists = getattr(zone, accessor).exists()
        else:
            exists = relation.related_model._base_manager.filter(
                **{relation.field.name: zone}
            ).exists()
        if exists:
            held.append(str(relation.related_model._meta.verbose_name_plural))
    return held


@transaction.atomic
def delete_zone(zone: Zone, *, acting_user) -> None:
    """Delete an empty leaf zone; a zone with sub-zones or any data is refused, saying which."""
    _refuse_unless_system_admin(acting_user)
    held = zone_data(zone)
    if held:
        raise ValidationError(
            _("“{zone}” still holds {what}; it cannot be deleted.").format(
                zone=zone, what="、".join(held)
            )
        )
    zone.delete()
