"""Connects every ZoneopsModel, and users with their zone grants, to the audit trail; and
removes uploaded files from the disk once the record that held them is gone.
"""

import functools

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from zoneops.core.access import context
from zoneops.core.audit import trail as audit
from zoneops.core.models import AuditedMixin, ObjectChange, User


def _is_audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, AuditedMixin)


def load_missing_snapshot(sender, instance, raw=False, **kwargs):
    """An update of an instance that was not loaded from the database: read its old values."""
    if raw or not _is_audited(sender) or instance._state.adding or instance.pk is None:
        return
    if getattr(instance, "_loaded_values", None) is None:
        names = [f.attname for f in audit.audited_fields(instance)]
        row = sender._base_manager.filter(pk=instance.pk).values(*names).first()
        instance._loaded_values = row or {}


def record_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    after = audit.snapshot(instance)
    if created:
        changes = audit.diff(None, after)
        action = ObjectChange.Action.CREATE
    else:
        loaded = getattr(instance, "_loaded_values", None) or {}
        before = {k: audit._plain(v) for k, v in loaded.items() if k in after}
        # Compare only what is known on both sides (deferred fields are not loaded).
        after = {k: v for k, v in after.items() if k in before}
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
    if before != after:
        audit.change_row(
            instance, ObjectChange.Action.UPDATE, {"zones": {"before": before, "after": after}}
        ).save()


# Uploaded files ---------------------------------------------------------------------------------


@functools.cache
def _file_fields(sender) -> tuple[str, ...]:
    return tuple(f.attname for f in sender._meta.concrete_fields if isinstance(f, models.FileField))


def _delete_after_commit(storage, name: str) -> None:
    # After the commit only: a rolled-back delete or replacement must still find its file.
    transaction.on_commit(functools.partial(storage.delete, name), robust=True)


def remove_replaced_files(sender, instance, raw=False, **kwargs):
    """A file field given a new file (e.g. a renewed certificate's evidence): drop the old one."""
    if raw or not _is_audited(sender) or instance._state.adding:
        return
    loaded = getattr(instance, "_loaded_values", None) or {}
    for attname in _file_fields(sender):
        old, new = loaded.get(attname), getattr(instance, attname)
        if old and old != (new.name if new else ""):
            _delete_after_commit(new.storage, old)


def remove_deleted_files(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    for attname in _file_fields(sender):
        fieldfile = getattr(instance, attname)
        if fieldfile:
            _delete_after_commit(fieldfile.storage, fieldfile.name)


pre_save.connect(load_missing_snapshot, dispatch_uid="zoneops_audit_snapshot")
post_save.connect(record_save, dispatch_uid="zoneops_audit_save")
post_delete.connect(record_delete, dispatch_uid="zoneops_audit_delete")
pre_save.connect(remove_replaced_files, dispatch_uid="zoneops_files_replaced")
post_delete.connect(remove_deleted_files, dispatch_uid="zoneops_files_deleted")
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
