"""Uploaded files kept under the data directory."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core.zones.models import ZoneopsModel


class StoredFile(ZoneopsModel):
    """An uploaded file kept under the data directory: what was sent, its checksum and sender.

    Subclasses add the record it belongs to and ``file`` with their own ``upload_to``.
    """

    name = models.CharField(_("name"), max_length=200)
    # "content type" alone is the audit trail's 对象类型; here it is the file's type.
    content_type = models.CharField(pgettext_lazy("file", "content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    filter_exempt = ("file",)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def store(cls, content: bytes, *, name: str, content_type: str, uploaded_by, **fields):
        """Save checked bytes under the data directory with their size and checksum; ``fields``
        are the subclass's own (the record it belongs to, the kind of photo …)."""
        import hashlib

        from django.core.files.base import ContentFile

        record = cls(
            name=name[-200:],
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=uploaded_by,
            **fields,
        )
        record.file.save(name[-80:], ContentFile(content), save=False)
        record.save()
        return record
