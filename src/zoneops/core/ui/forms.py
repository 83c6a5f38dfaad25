import uuid

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.registries import writes
from zoneops.core.ui.widgets import style_fields
from zoneops.core.zones.models import Department, Zone


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose choices of related records are limited to what the user may see.

    A record's zone must be one the user may change records in. People pickers (fields to the
    user model) are narrowed by ``User.objects.restrict``: the people the user may pick.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for form_field in self.fields.values():
            queryset = getattr(form_field, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "restrict"):
                form_field.queryset = queryset.restrict(user, "view")
        for form_field in self.fields.values():
            queryset = getattr(form_field, "queryset", None)
            if queryset is not None and queryset.model is Department:
                label_departments(form_field)
        style_fields(self.fields)

    def save(self, commit=True):
        """Save through the model's write service (``core.registries.writes``), not the ORM
        directly; the many-to-many choices after it, in the same transaction."""
        if not commit:
            return super().save(commit=False)
        instance = super().save(commit=False)
        with transaction.atomic():
            self.instance = writes.save(instance, acting_user=self.user)
            self._save_m2m()
        return self.instance

    # A record keeps what it refers to -------------------------------------------------------
    # Forms narrow their choices after this __init__ (recent inspection rounds, the zones below
    # the user's): a record whose present value is no longer among them would lose it when
    # saved unchanged. The present values are added back once, before the form is rendered or
    # validated; choosing them again is no new right, choosing others still is restricted.

    def __getitem__(self, name):
        self.keep_current_choices()
        return super().__getitem__(name)

    def full_clean(self):
        self.keep_current_choices()
        super().full_clean()

    def keep_current_choices(self) -> None:
        if getattr(self, "_current_choices_kept", False):
            return
        self._current_choices_kept = True
        if self.instance is None or self.instance.pk is None:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            try:
                model_field = self.instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.many_to_one:
                current = getattr(self.instance, model_field.attname)
                current = [] if current is None else [current]
            elif model_field.many_to_many and not model_field.auto_created:
                current = list(getattr(self.instance, name).values_list("pk", flat=True))
            else:
                continue
            queryset = field.queryset
            if not current or queryset.filter(pk__in=current).count() == len(current):
                continue
            ordering = queryset.query.order_by or queryset.model._meta.ordering
            field.queryset = (
                queryset.model._default_manager.filter(
                    models.Q(pk__in=queryset.values("pk")) | models.Q(pk__in=current)
                )
                .distinct()
                .order_by(*ordering)
            )

    def get_initial_for_field(self, field, field_name):
        """A record's foreign key as its select shows it.

        ModelForm's initial value of a foreign key is the related record's primary key, while
        a field with ``to_field_name`` (a zone by its code, an enterprise by its USCC, a cadre by
        user name) has options carrying that other value: no option would be selected, and
        the form posted back unchanged would lose the relation. The related record itself is
        rendered by ``prepare_value`` with the field's ``to_field_name``.
        """
        value = super().get_initial_for_field(field, field_name)
        if (
            not getattr(field, "to_field_name", None)
            or isinstance(field, forms.ModelMultipleChoiceField)
            or isinstance(value, models.Model)
            or value in (None, "")
        ):
            return value
        try:
            model_field = self.instance._meta.get_field(field_name)
        except FieldDoesNotExist:
            model_field = None
        if (
            model_field is not None
            and model_field.many_to_one
            and getattr(self.instance, model_field.attname) == value
        ):
            return getattr(self.instance, field_name)
        if isinstance(value, int):  # a primary key given as initial data
            return field.queryset.model._default_manager.filter(pk=value).first() or value
        return value


def department_label(department) -> str:
    return f"{department.zone.name} · {department.name}"


def label_departments(form_field) -> None:
    """Departments shown with their zone: every zone has its 经济发展局, and a picker listing
    three of them by name alone cannot be told apart."""
    form_field.queryset = form_field.queryset.select_related("zone")
    form_field.label_from_instance = department_label


def people_in_reach(user):
    """Users a form may name (a leader, a responsible person), by user name:
    ``User.objects.restrict``, so that other zones' staff and the administrators are not
    listed; without a user, every active account but the three administrators."""
    from zoneops.core.access.roles import ADMINISTRATOR_ROLES
    from zoneops.core.accounts.models import User

    if user is None:
        people = User.objects.filter(is_active=True).exclude(role__in=ADMINISTRATOR_ROLES)
    else:
        people = User.objects.restrict(user, "view")
    return people.order_by("username")


class LocatedFormMixin:
    """For forms of ``core.models.Located`` records: both coordinates or neither (the error
    on the missing one), and the inputs marked for the map picker (``zoneops/map-picker.js``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        boundary_url = reverse("core:zone_boundary")
        for name in ("longitude", "latitude"):
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["data-map-coordinate"] = name
                attrs["data-boundary-url"] = boundary_url
                attrs.setdefault("step", "0.000001")
        if "longitude" in self.fields:
            attrs = self.fields["longitude"].widget.attrs
            attrs["data-picker-hint"] = _("Click the map to set the point.")
            attrs["data-picker-locate"] = _("Use my position")
            attrs["data-picker-none"] = _(
                "The zone has no boundary yet: type the coordinates, or upload its boundary."
            )
            self.fields["longitude"].help_text = _("WGS-84 degrees (GPS, 天地图).")

    def clean(self):
        data = super().clean()
        if "longitude" not in self.fields or "latitude" not in self.fields:
            return data
        if self.has_error("longitude") or self.has_error("latitude"):
            return data
        lon, lat = data.get("longitude"), data.get("latitude")
        if (lon is None) != (lat is None):
            self.add_error(
                "latitude" if lat is None else "longitude",
                _("Give both longitude and latitude, or neither."),
            )
            # The model's own check would repeat this at the top of the form.
            data.pop("longitude", None)
            data.pop("latitude", None)
        return data


class ZoneForm(ScopedModelForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "kind", "parent", "division_code", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].to_field_name = "code"
        self.fields["parent"].help_text = _("Code of the zone this one belongs to.")
        if self.instance.pk:
            # A zone cannot move below itself.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path
            )

    def clean(self):
        from django.core.exceptions import PermissionDenied

        from zoneops.core.zones import services as zone_services

        data = super().clean()
        if "parent" in data:
            try:
                zone_services.check_zone_tree(self.instance, data["parent"], acting_user=self.user)
            except PermissionDenied as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["zone", "name", "code", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"


class ZoneEditForm(ZoneForm):
    """The zone's edit page: its fields and, for administrators, its boundary (GeoJSON)."""

    boundary_file = forms.FileField(
        label=_("boundary (GeoJSON file)"),
        required=False,
        help_text=_(
            "A Polygon, MultiPolygon, Feature or FeatureCollection in WGS-84, at most 2 MB; "
            "it replaces the present boundary."
        ),
    )
    clear_boundary = forms.BooleanField(label=_("remove the boundary"), required=False)
    boundary_fields = ("boundary_file", "clear_boundary")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and not self.user.is_zone_admin:
            del self.fields["boundary_file"]
            del self.fields["clear_boundary"]
        elif not (self.instance.pk and self.instance.boundary):
            del self.fields["clear_boundary"]
        style_fields({k: v for k, v in self.fields.items() if k in self.boundary_fields})

    def clean_boundary_file(self):
        from django.core.exceptions import ValidationError

        from zoneops.core.zones import geo

        upload = self.cleaned_data.get("boundary_file")
        if not upload:
            return None
        if upload.size > geo.BOUNDARY_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than {size} MB; simplify the boundary first.").format(
                    size=geo.BOUNDARY_MAX_BYTES // (1024 * 1024)
                )
            )
        name = self.cleaned_data.get("name") or self.instance.name or ""
        return geo.parse_boundary(upload.read(), name=name)

    def save(self, commit=True):
        zone = self.instance  # the form's values are on it once validated
        boundary = self.cleaned_data.get("boundary_file")
        if boundary is not None:
            for feature in boundary["features"]:
                feature["properties"]["name"] = zone.name
            zone.boundary = boundary
        elif self.cleaned_data.get("clear_boundary"):
            zone.boundary = None
        return super().save(commit)


# Phone forms: photos from the camera, and a token that makes a retried form count once ------


def client_token_field() -> forms.UUIDField:
    """A hidden ``client_token``: a new UUID in every rendered form (see
    ``submissions.submit_once``)."""
    return forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


class PhotosInput(forms.ClearableFileInput):
    """Several photos, straight from the phone's rear camera; ``phone.js`` shrinks them."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        defaults = {
            "accept": "image/*",
            "capture": "environment",
            "data-resize": "2000000",  # at most 2 megapixels, resized in the browser
        }
        super().__init__(defaults | (attrs or {}))


class PhotosField(forms.FileField):
    """Zero or more uploaded photos (checked by content in the service that stores them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PhotosInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = [item for item in data if item] if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [single(item, initial) for item in items]


KEEP_LOCATION_HELP = _(
    "Keep where the photo was taken (GPS) in the file; otherwise it is removed. "
    "Photos with their location are uploaded at full size."
)


def keep_location_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("keep location"),
        required=False,
        help_text=KEEP_LOCATION_HELP,
        widget=forms.CheckboxInput(attrs={"data-keep-location": ""}),
    )
