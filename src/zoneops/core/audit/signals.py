"""Connects every ZoneopsModel to the audit trail (users' zone grants: ``accounts.signals``); and
removes uploaded files from the disk once the record that held them is gone.
"""

import functools

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from zoneops.core.audit import trail as audit
from zoneops.core.audit.models import ObjectChange
from zoneops.core.zones.models import AuditedMixin


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
