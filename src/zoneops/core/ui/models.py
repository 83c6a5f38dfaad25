"""Forms sent from phones that may retry: the client token claimed with the write."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientSubmission(models.Model):
    """A form sent from a phone that may retry after a dropped connection: its client token is
    claimed in the same transaction as the write, so a second arrival is refused, not saved twice.
    """

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    token = models.UUIDField(_("client token"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(_("path"), max_length=300)
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("client submission")
        verbose_name_plural = _("client submissions")

    def __str__(self) -> str:
        return str(self.token)


def new_request_id() -> uuid.UUID:
    return uuid.uuid4()
