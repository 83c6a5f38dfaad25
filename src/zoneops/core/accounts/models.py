"""Users with their role and granted zones, their security events and password history."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.access import context
from zoneops.core.access.querysets import RestrictedQuerySet
from zoneops.core.access.roles import ADMINISTRATOR_ROLES, Role
from zoneops.core.audit.models import AuditQuerySet
from zoneops.core.zones.models import AuditedMixin, Department, Zone


class UserQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> "UserQuerySet":
        """The people ``user`` may pick for a record (liaison cadre, visit cadre, handler, …).

        The single place where people pickers (``ScopedModelForm``, the API serializers) are
        narrowed. ``action`` is accepted for symmetry with every other model and not used: a
        person is either within reach or not.

        - Only active accounts are offered.
        - The three administrators (``ADMINISTRATOR_ROLES``: admin, security_admin, auditor)
          are never offered: they may not handle domain data (三员分立).
        - An administrator viewer (``sees_all_zones``) reaches every other active user.
        - Anybody else reaches users granted a zone *inside* the viewer's visible zones (a
          granted zone or below it) or *on the path above* a zone granted to the viewer, so a
          leader of the parent zone may be picked, but nobody of a sibling zone (the staff of
          长春高新区 never see the people of 长春经开区). The viewer may always pick themself.
        - An inactive viewer (or none) reaches nobody.
        """
        if user is None or not getattr(user, "is_active", False):
            return self.none()
        qs = self.filter(is_active=True).exclude(role__in=ADMINISTRATOR_ROLES)
        if user.sees_all_zones:
            return qs
        # One SQL statement, no query of its own: pickers sit on list pages' filter forms.
        granted = Zone.objects.filter(users=user.pk)
        reach = Zone.objects.filter(
            # the zone is a granted one or above one (its path a prefix of a granted path) …
            Exists(granted.filter(path__startswith=OuterRef("path")))
            # … or below a granted one
            | Exists(
                granted.annotate(
                    outer_path=ExpressionWrapper(OuterRef("path"), output_field=models.CharField())
                ).filter(outer_path__startswith=F("path"))
            )
        )
        ids = self.model.objects.filter(Q(pk=user.pk) | Q(zones__in=reach)).values("pk")
        return qs.filter(pk__in=ids)

    def working_in(self, zone, roles) -> "UserQuerySet":
        """Active people with one of ``roles`` granted ``zone`` or a zone above it: whom a
        record of ``zone`` may be handed to (a case's handler, an enterprise's liaison cadre).
        Never one of the three administrators (三员分立), whatever ``roles`` says."""
        above = [int(part) for part in zone.path.strip("/").split("/") if part]
        ids = self.model.objects.filter(zones__id__in=above).values("pk")
        return (
            self.filter(is_active=True, role__in=set(roles) - set(ADMINISTRATOR_ROLES))
            .filter(pk__in=ids)
            .order_by("username")
        )


class ZoneopsUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """``createsuperuser`` makes a system administrator, and nothing else (三员分立)."""
        extra_fields.setdefault("role", Role.ADMIN)
        if extra_fields["role"] != Role.ADMIN:
            raise ValueError("A superuser is a system administrator (role=admin).")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AuditedMixin, AbstractUser):
    """A person using zoneops: one role, granted one or more zones (and thereby their subtrees)."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    audit_exclude = (
        "password",
        "last_login",
        "date_joined",
        "password_changed_at",
        "totp_secret",
    )

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    zones = models.ManyToManyField(
        Zone, verbose_name=_("granted zones"), blank=True, related_name="users"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for initial passwords: the user must choose a new one at first login."),
    )
    totp_secret = models.CharField(_("TOTP secret"), max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(
        _("second factor confirmed at"), null=True, blank=True, editable=False
    )

    objects = ZoneopsUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def save(self, *args, **kwargs):
        # 三员分立: the superuser flag (Django's admin site) belongs to the system administrator
        # only; with another role one account would hold two administrator duties.
        if self.is_superuser and self.role != Role.ADMIN:
            raise ValidationError(
                _("Only a system administrator account may be a superuser (三员分立).")
            )
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def is_zone_admin(self) -> bool:
        """The system administrator (accounts, zones, departments) works on every zone."""
        return self.role == Role.ADMIN

    @property
    def is_administrator(self) -> bool:
        """One of the three administrators (三员), or a superuser: needs a second factor."""
        return self.is_superuser or self.role in ADMINISTRATOR_ROLES  # the flag: a second factor

    @property
    def sees_all_zones(self) -> bool:
        """Zone scoping does not narrow what an administrator's role lets them read.

        Which rows that is comes from the role alone: the auditor reads the audit trail of every
        zone and no domain record; the security administrator only the security events.
        """
        return self.is_administrator

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)

    def visible_zones(self) -> models.QuerySet:
        """The zones granted to the user and all zones below them (every zone for an admin)."""
        if not self.is_active:
            return Zone.objects.none()
        if self.sees_all_zones:
            return Zone.objects.all()
        return Zone.objects.filter(pk__in=self.visible_zone_ids())

    def visible_zone_ids(self) -> list[int]:
        """The ids of ``visible_zones()`` (not for an administrator, who sees every zone), read
        in one query once per request (``context.memoized``; a change of grants during the
        request forgets them): the lists filter on these ids, which the database plans for
        exactly (a zone's few enterprises), where a subquery of paths it would guess.

        Zones below the granted ones are found by the query itself: a zone created a moment
        ago below a granted one is visible from the next request on."""
        if not self.is_active:
            return []
        return context.memoized(("visible_zone_ids", self.pk), self._read_visible_zone_ids)

    def _read_visible_zone_ids(self) -> list[int]:
        # A zone is visible when its path starts with a granted zone's path.
        granted = self.zones.through.objects.filter(
            StartsWith(OuterRef("path"), F("zone__path")), user_id=self.pk
        )
        return list(
            Zone.objects.filter(Exists(granted)).order_by("pk").values_list("pk", flat=True)
        )


class SecurityEvent(models.Model):
    """Logins, failures, lockouts, permission denials, exports and password changes (等保 audit)."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    # Recording one (an export, a denied page) does not pin the browser's next reads to the
    # primary database (zoneops.core.db.router): no page shows it right after.
    replica_pins = False

    class Type(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logged out")
        LOCKED_OUT = "locked_out", _("Locked out")
        PERMISSION_DENIED = "permission_denied", _("Permission denied")
        EXPORT = "export", _("Export")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        UNLOCKED = "unlocked", _("Account unlocked")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
        ACCESS_CHANGED = "access_changed", _("Role or zones changed")
        ACCOUNT_ATTACKED = "account_attacked", _("Account attacked from many addresses")
        PERSONAL_DATA_REVEALED = "personal_data_revealed", _("Personal data revealed")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    type = models.CharField(_("event"), max_length=30, choices=Type.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True, db_index=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()
    zone_lookup = "pk"
    # The security administrator watches logins and lockouts; the auditor reads everything.
    role_actions = {"auditor": frozenset({"view"}), "security_admin": frozenset({"view"})}

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(_("The audit trail cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be deleted."))


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so the last few cannot be used again."""

    bumps_data_version = False  # no cached figure reads it (core.db.versions)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"
