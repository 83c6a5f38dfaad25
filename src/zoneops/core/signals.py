"""Connects every ZoneopsModel to the audit trail."""

from django.db.models.signals import post_delete, post_save

from zoneops.core import audit
from zoneops.core.models import ObjectChange, ZoneopsModel


def _is_audited(sender) -> bool:
    return issubclass(sender, ZoneopsModel)


def record_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = audit.snapshot(instance)
    if created:
        changes = audit.diff(None, after)
        action = ObjectChange.Action.CREATE
    else:
        before = getattr(instance, "_loaded_values", None)
        if before is None:
            before = {}
        before = {k: audit._plain(v) for k, v in before.items() if k in after}
        if update_fields:
            names = {sender._meta.get_field(f).attname for f in update_fields}
            after = {k: v for k, v in after.items() if k in names}
            before = {k: v for k, v in before.items() if k in names}
        changes = audit.diff(before, after)
        if not changes:
            return
        action = ObjectChange.Action.UPDATE
    audit.change_row(instance, action, changes).save()
    loaded = getattr(instance, "_loaded_values", None) or {}
    loaded.update({f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields})
    instance._loaded_values = loaded


def record_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    audit.change_row(
        instance, ObjectChange.Action.DELETE, audit.diff(audit.snapshot(instance), None)
    ).save()


post_save.connect(record_save, dispatch_uid="zoneops_audit_save")
post_delete.connect(record_delete, dispatch_uid="zoneops_audit_delete")
