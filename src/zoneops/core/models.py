"""Core records: zones, users and roles, departments, the audit trail and the closed loop."""

import datetime as dt
import uuid
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.core.access import context
from zoneops.core.access.querysets import RestrictedQuerySet


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


class AuditedMixin:
    """Keeps the values a row was loaded with, so the audit trail can show them as "before"."""

    audit_exclude: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if value is not models.DEFERRED
        }
        return instance

    def zone_id_for_audit(self) -> int | None:
        return None


class ZoneopsModel(AuditedMixin, models.Model):
    """What every domain record has: timestamps, provenance, zone scoping and the audit trail.

    ``zone_lookup`` is the ORM path from the model to its Zone; ``restrict()`` filters on it.
    Saves and deletes are written to the audit trail by ``zoneops.core.audit.signals``.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where this record came from: a seed article, an import file, synthetic data."),
    )

    zone_lookup = "zone"
    audit_exclude = ("created_at", "updated_at")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def zone_id_for_audit(self) -> int | None:
        """The record's zone id, read through foreign-key ids where possible (no extra query)."""
        if self.zone_lookup in ("pk", "id"):
            return self.pk
        *path, last = self.zone_lookup.split("__")
        value = self
        for part in path:
            value = getattr(value, part, None)
            if value is None:
                return None
        return getattr(value, f"{last}_id", None)

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])


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


# China's extent including the South China Sea islands; finer checks (the zone's own boundary)
# belong to the map services.
CHINA_LONGITUDE = (73.0, 135.5)
CHINA_LATITUDE = (3.5, 53.6)


class Located(models.Model):
    """A point on the map in WGS-84 (what GPS gives); GCJ-02 is derived on export."""

    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(CHINA_LONGITUDE[0], _("Longitude is outside China.")),
            MaxValueValidator(CHINA_LONGITUDE[1], _("Longitude is outside China.")),
        ],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(CHINA_LATITUDE[0], _("Latitude is outside China.")),
            MaxValueValidator(CHINA_LATITUDE[1], _("Latitude is outside China.")),
        ],
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if (self.longitude is None) != (self.latitude is None):
            raise ValidationError(_("Give both longitude and latitude, or neither."))

    # The kind of point on the zone map ("project", "enterprise"): its detail page links there.
    map_point_kind = ""

    def get_map_url(self) -> str:
        """The map of the record's zone with its card open, or "" when it has no point."""
        from django.urls import NoReverseMatch, reverse

        if not self.map_point_kind or self.longitude is None or self.pk is None:
            return ""
        try:
            url = reverse("projects:map", args=[self.zone_id])
        except NoReverseMatch:  # the map's app is not installed
            return ""
        return f"{url}?focus={self.map_point_kind}:{self.pk}"


class Zone(ZoneopsModel):
    """One unit of the org tree: national new area → development zone → park → street."""

    API_KEY = "code"  # the API reads and writes a zone as its code (api_fields)

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        NATIONAL_NEW_AREA = "national_new_area", _("National new area")
        HI_TECH_ZONE = "hi_tech_zone", _("High-tech zone")
        ECON_DEV_ZONE = "econ_dev_zone", _("Economic and technological development zone")
        BONDED_ZONE = "bonded_zone", _("Comprehensive bonded zone")
        SUB_ZONE = "sub_zone", _("Sub-zone")
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        STREET = "street", _("Street")

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, '-' or '_' only."))
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division_code = models.CharField(
        _("administrative division code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("A GB/T 2260 division code has 6 digits."))],
    )
    # Materialised path of primary keys ("/1/4/9/"): a subtree is one indexed prefix match.
    path = models.CharField(max_length=400, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("The zone's outline in WGS-84, drawn on the map page."),
    )

    zone_lookup = "pk"
    # ``restrict(user, "change")`` on zones means "the zones the user may put records in";
    # changing the tree itself is the system administrator's only (services.check_zone_tree,
    # views.TreeAdminOnly, api.ZoneViewSet).
    filter_exempt = ("boundary",)
    audit_exclude = ("created_at", "updated_at", "path", "depth")

    class Meta:
        ordering = ["path"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:zone_detail", args=[self.pk])

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        new_path = self._computed_path()
        if new_path != self.path:
            old_path = self.path
            self.path, self.depth = new_path, new_path.count("/") - 2
            Zone.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old_path:
                self._rebase_descendants(old_path)

    def _rebase_descendants(self, old_path: str) -> None:
        for child in Zone.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            path = self.path + child.path[len(old_path) :]
            Zone.objects.filter(pk=child.pk).update(path=path, depth=path.count("/") - 2)

    def subtree(self) -> models.QuerySet:
        return Zone.objects.filter(path__startswith=self.path)

    def subtree_ids(self) -> list[int]:
        """The ids of this zone and the zones below it, read now.

        Filter big tables with ``zone_id__in=zone.subtree_ids()`` rather than a join on the path
        prefix: the database then uses the zone index instead of scanning every row.
        """
        return list(self.subtree().values_list("pk", flat=True))

    def ancestors(self) -> list["Zone"]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Zone.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class Department(ZoneopsModel):
    """A unit of the administration committee that handles closed-loop items (经发局, 招商局 …)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="departments"
    )
    API_KEY = "code"  # the API reads and writes a department as its code (api_fields)

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, '-' or '_' only."))
        ],
        help_text=_("Unique across zones, e.g. CCGX-JF for 长春高新区's 经济发展局."),
    )

    class Meta:
        ordering = ["zone__path", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Forms, imports and the API require a code; a record made in code without one (seeds,
        # generators, fixtures) gets the zone's code and the unit's short code.
        if not self.code:
            self.code = department_code(self.zone.code, self.name)
        super().save(*args, **kwargs)


# The short codes of the units every zone has (the demo's and the generator's), used for
# department codes made without one: <zone code>-<unit>, e.g. CCGX-JF.
DEPARTMENT_UNITS = {
    "经济发展局": "JF",
    "投资促进局": "TC",
    "科技创新局": "KC",
    "营商环境建设局": "YS",
    "应急管理局": "YJ",
    "财政局": "CZ",
    "规划建设局": "GJ",
    "生态环境局": "ST",
    "人力资源和社会保障局": "RS",
    "党政办公室": "DZ",
}


def department_code(zone_code: str, name: str, taken=None) -> str:
    """A free code for a department: ``<zone code>-<unit>`` for a known unit, else
    ``<zone code>-D<n>``; ``taken`` (a set) is checked instead of the table when given."""

    def free(code: str) -> bool:
        if taken is not None:
            return code not in taken
        return not Department.objects.filter(code=code).exists()

    unit = DEPARTMENT_UNITS.get(name)
    if unit and free(f"{zone_code}-{unit}"):
        return f"{zone_code}-{unit}"
    n = 1
    while not free(f"{zone_code}-D{n}"):
        n += 1
    return f"{zone_code}-D{n}"


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
        """The zones granted to the user and all zones below them (every zone for an admin).

        Zones below the granted ones are found by the query itself: a zone created a moment
        ago below a granted one is visible at once. The granted zones' paths are read once per
        request (``context.memoized``; a change of grants during the request forgets them).
        """
        if not self.is_active:
            return Zone.objects.none()
        if self.sees_all_zones:
            return Zone.objects.all()
        paths = context.memoized(
            ("granted_zone_paths", self.pk),
            lambda: list(self.zones.values_list("path", flat=True)),
        )
        if not paths:
            return Zone.objects.none()
        return Zone.objects.filter(reduce(or_, (Q(path__startswith=path) for path in paths)))


class AuditQuerySet(RestrictedQuerySet):
    """The audit trail's rows: appended by the system, never changed or removed in bulk either.

    Only ``zoneops purge_audit`` removes rows, older than the retention period, and it does so
    with ``purge_older_than`` below.
    """

    def update(self, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be edited."))

    def delete(self):
        raise PermissionDenied(_("The audit trail cannot be deleted."))

    def purge_older_than(self, cutoff) -> int:
        """Remove rows older than ``cutoff`` (the caller checks it against the retention)."""
        return self.filter(time__lt=cutoff)._raw_delete(self.db)


class ObjectChange(models.Model):
    """One row per create, update or delete of a domain record. Append-only."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # No index of its own: ``objchange_object`` below starts with it. Every change writes a
    # row here, so each index the table need not have makes every write cheaper.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    zone_id = models.BigIntegerField(_("zone id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), encoder=DjangoJSONEncoder, default=dict)

    objects = AuditQuerySet.as_manager()
    zone_lookup = "zone_id"
    # 三员分立: only the audit administrator reads (and exports) the log of what everyone,
    # the system administrator included, changed; nobody writes it except the system.
    role_actions = {"auditor": frozenset({"view"})}

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        # One index per way the log is narrowed, each ending in time for newest-first pages.
        # A filter on user and action (what did this person change?) is counted from the
        # index alone: the rows of one user are spread over the whole table.
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="objchange_object"),
            models.Index(fields=["user_name", "action", "-time"], name="objchange_user_action"),
            models.Index(fields=["action", "-time"], name="objchange_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(_("The audit trail cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be deleted."))

    def get_absolute_url(self) -> str:
        return reverse("core:objectchange_detail", args=[self.pk])


class LoopCase(ZoneopsModel):
    """The closed-loop part of an appeal, hazard or task: state, assignment, deadline, escalation.

    Domain records hold a one-to-one link to their case, so ``zoneops tick`` works over one
    table for every kind of loop. The workflow (states, transitions, roles) is chosen by ``kind``
    from the registry in ``zoneops.core.loop.workflows``.
    """

    class Escalation(models.IntegerChoices):
        NORMAL = 0, _("On time")
        DUE_SOON = 1, _("Due soon")
        OVERDUE = 2, _("Overdue")
        DEPARTMENT_HEAD = 3, _("Escalated to department head")
        LEADER = 4, _("Escalated to the responsible leader")

    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=30, db_index=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    opened_on = models.DateField(_("opened on"), default=dt.date.today)
    limit_working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    due_date = models.DateField(_("due date"), db_index=True)
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True, db_index=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NORMAL
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("closed-loop case")
        verbose_name_plural = _("closed-loop cases")
        indexes = [models.Index(fields=["is_open", "due_date"], name="loopcase_open_due")]

    def __str__(self) -> str:
        return self.title

    # The workflow's words for its kind and state (no model choices: workflows register them),
    # where pages and exports show a field through get_<field>_display.
    @property
    def escalation_now(self) -> int:
        """The escalation level as of today, from the deadline (``loop.current_escalation``)."""
        from zoneops.core.loop.workflows import current_escalation

        return current_escalation(self)

    def get_escalation_now_display(self) -> str:
        return str(self.Escalation(self.escalation_now).label)

    def get_kind_display(self) -> str:
        from zoneops.core.loop import workflows as loop

        return str(loop.get_workflow(self.kind).label)

    def get_state_display(self) -> str:
        from zoneops.core.loop import workflows as loop

        return str(loop.get_workflow(self.kind).states.get(self.state, self.state))

    def history_display(self, name: str, value):
        """The change log's words for the workflow's codes (``readable_changes``)."""
        from zoneops.core.loop import workflows as loop

        try:
            if name == "state":
                return str(loop.get_workflow(self.kind).states.get(value, value))
            if name == "kind":
                return str(loop.get_workflow(value).label)
        except LookupError:
            return value
        return None

    def get_absolute_url(self) -> str:
        return reverse("core:loopcase_detail", args=[self.pk])


class LoopEvent(models.Model):
    """A typed history row: one per transition or escalation of a case."""

    class Type(models.TextChoices):
        TRANSITION = "transition", _("Transition")
        ESCALATION = "escalation", _("Escalation")
        DEADLINE = "deadline", _("Deadline recomputed")

    case = models.ForeignKey(LoopCase, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.TRANSITION)
    transition = models.CharField(_("transition"), max_length=30, blank=True)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("closed-loop event")
        verbose_name_plural = _("closed-loop events")

    def __str__(self) -> str:
        return f"{self.transition or self.type}: {self.from_state} → {self.to_state}"

    # What the history shows: the workflow's own words, not the stored names.

    def _workflow(self):
        from zoneops.core.loop import workflows as loop

        try:
            return loop.get_workflow(self.case.kind)
        except LookupError:
            return None

    @property
    def action_label(self) -> str:
        if self.type in (self.Type.ESCALATION, self.Type.DEADLINE):
            return str(self.get_type_display())
        if self.transition == "open":
            return str(_("Opened"))
        workflow = self._workflow()
        found = workflow.transitions.get(self.transition) if workflow else None
        return str(found.label) if found else self.transition

    def _state_label(self, state: str) -> str:
        workflow = self._workflow()
        return str(workflow.states.get(state, state)) if workflow and state else state

    @property
    def from_label(self) -> str:
        if self.type == self.Type.ESCALATION:
            return str(LoopCase.Escalation(self.data.get("from", 0)).label)
        return self._state_label(self.from_state)

    @property
    def to_label(self) -> str:
        if self.type == self.Type.ESCALATION:
            return str(LoopCase.Escalation(self.data.get("to", 0)).label)
        return self._state_label(self.to_state)


class ClientSubmission(models.Model):
    """A form sent from a phone that may retry after a dropped connection: its client token is
    claimed in the same transaction as the write, so a second arrival is refused, not saved twice.
    """

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


class SecurityEvent(models.Model):
    """Logins, failures, lockouts, permission denials, exports and password changes (等保 audit)."""

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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class HolidayArrangement(AuditedMixin, models.Model):
    """The State Council's notice of one year's holidays
    (国务院办公厅关于YYYY年部分节假日安排的通知), as entered by the
    system administrator. It outranks chinese-calendar's data for that year.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2004), MaxValueValidator(2100)]
    )
    title = models.CharField(_("notice"), max_length=200, blank=True)
    text = models.TextField(_("notice text"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")

    def __str__(self) -> str:
        return self.title or str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("core:calendar_year", args=[self.year])


class CalendarDay(models.Model):
    """One day a notice sets: a day off on a weekday or a 调休 working weekend. A notice may set
    days in the neighbouring year (元旦 2023 began on 2022-12-31), so days are keyed by date and
    remember their notice."""

    arrangement = models.ForeignKey(
        HolidayArrangement, on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=30)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class DeadlineChange(models.Model):
    """A deadline moved because a year's holiday arrangement was entered: the typed event of
    any deadline-bearing record (an appeal's stages, a case, a lead's response times)."""

    arrangement = models.ForeignKey(
        HolidayArrangement,
        verbose_name=_("holiday arrangement"),
        on_delete=models.CASCADE,
        related_name="deadline_changes",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("record"), max_length=200)
    deadline = models.CharField(_("deadline"), max_length=60)
    old_date = models.DateField(_("old date"))
    new_date = models.DateField(_("new date"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.CASCADE
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    time = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        indexes = [models.Index(fields=["content_type", "object_id"], name="deadline_change_obj")]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.old_date} → {self.new_date}"
