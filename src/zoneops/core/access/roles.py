"""The roles (三员分立: three administrators who decide no domain matter) and who is one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Zone staff")
    LIAISON = "liaison", _("Liaison cadre")
    LEADER = "leader", _("Leader (read only)")
    # 三员分立: accounts (ADMIN above), security policy, and audit are three different people.
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")


# The three administrators of 三员分立 (system, security, audit): each sees every zone for its
# own duty, none decides on domain data, and each needs a second factor to log in.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
