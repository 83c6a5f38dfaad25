from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row whose number goes up after every committed write to the data
    (``zoneops.core.db.versions``): the key of every cached figure."""

    version = models.BigIntegerField(_("data version"), default=0)
    # Its own writes are the bumps.
    bumps_data_version = False

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return str(self.version)
