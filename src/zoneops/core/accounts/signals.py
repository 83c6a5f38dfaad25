"""Users' zone grants in the audit trail, and the request's remembered zones kept fresh."""

from django.db.models.signals import m2m_changed

from zoneops.core.access import context
from zoneops.core.accounts.models import User
from zoneops.core.audit import trail as audit
from zoneops.core.audit.models import ObjectChange


def record_zone_grants(sender, instance, action, pk_set, reverse, **kwargs):
    """Granting or withdrawing zones changes what a user may see: keep it in the trail."""
    if reverse or action not in (
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    ):
        return
    if action.startswith("pre_"):
        instance._zones_before = sorted(instance.zones.values_list("pk", flat=True))
        return
    before = getattr(instance, "_zones_before", [])
    after = sorted(instance.zones.values_list("pk", flat=True))
    changes = audit.diff({"zones": before}, {"zones": after})
    if changes:
        audit.change_row(instance, ObjectChange.Action.UPDATE, changes).save()


m2m_changed.connect(
    record_zone_grants, sender=User.zones.through, dispatch_uid="zoneops_audit_zones"
)


def forget_zone_grants(sender, action, **kwargs):
    """Grants changed: the request's remembered zone paths (``User.visible_zones``) are stale."""
    if action.startswith("post_"):
        context.forget()


m2m_changed.connect(
    forget_zone_grants, sender=User.zones.through, dispatch_uid="zoneops_forget_zone_grants"
)
