"""Zones (the tree of parks and their parts), departments, and what every record has:
timestamps, provenance, zone scoping and the audit trail's memory of loaded values."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.querysets import RestrictedQuerySet


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
