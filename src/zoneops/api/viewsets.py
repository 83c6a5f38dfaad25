import contextlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.utils import model_meta

from zoneops.api.errors import ApiErrorSerializer as BulkErrorsSerializer  # noqa: F401
from zoneops.api.errors import bulk_error_response
from zoneops.api.permissions import RolePermission
from zoneops.core.access import context
from zoneops.core.access.permissions import CHANGE, DELETE, VIEW
from zoneops.core.registries import writes


class PeoplePickerMixin:
    """Serializer mixin: a field that takes a user id accepts only the people the requesting
    user may pick (``User.objects.restrict``, as ``core.ui.forms.ScopedModelForm`` does for pages);
    anybody else is a 400 "not found", as if the account did not exist."""

    def get_fields(self):
        from django.contrib.auth import get_user_model

        fields = super().get_fields()
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if viewer is None or not viewer.is_authenticated:
            return fields
        user_model = get_user_model()
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if field.read_only or queryset is None or queryset.model is not user_model:
                continue
            target.queryset = user_model.objects.restrict(viewer, VIEW)
            target.error_messages["does_not_exist"] = _(
                'User "{pk_value}" not found among the people you may pick.'
            )
        return fields


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose rows come through ``restrict(user, action)`` like every page's."""

    permission_classes = [RolePermission]
    base_queryset = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A token is authenticated here, not in the middleware: the audit trail names the user.
        ctx = context.current()
        if request.user.is_authenticated and (ctx is None or ctx.user is None):
            context.attribute_to(request.user)

    def get_queryset(self):
        action = VIEW
        if self.request is not None and self.request.method in ("PUT", "PATCH"):
            action = CHANGE
        elif self.request is not None and self.request.method == "DELETE":
            action = DELETE
        qs = self.base_queryset.all()
        if self.request is None or getattr(self, "swagger_fake_view", False):
            return qs.none()
        # References read as their code (a zone, an industry) come with the page, not one
        # query each.
        coded = _coded_references(qs.model)
        if coded:
            qs = qs.select_related(*coded)
        return qs.restrict(self.request.user, action)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.request is not None and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            scope_references(serializer, self.request.user)
        return serializer

    # One write path per model: the model's service (core.registries.writes), never the default
    # save.
    def perform_create(self, serializer):
        save_through_service(serializer, acting_user=self.request.user)

    def perform_update(self, serializer):
        save_through_service(serializer, acting_user=self.request.user)

    def perform_destroy(self, instance):
        with refused_as_400(instance):
            writes.delete(instance, acting_user=self.request.user)


@contextlib.contextmanager
def refused_as_400(subject=None):
    """A service's refusal (Django's ValidationError), or a record still used by others,
    answers 400 with its messages."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(detail) from exc
    except ProtectedError as exc:
        blocking = ", ".join(str(o) for o in list(exc.protected_objects)[:5])
        message = _("“{object}” is still used by: {blocking}. Remove those first.")
        raise serializers.ValidationError(
            message.format(object=subject, blocking=blocking)
        ) from exc


def save_through_service(serializer, *, acting_user) -> None:
    """``serializer.save()`` for a serializer that calls its model's service itself (its own
    ``create``/``update``/``save``); else the validated data is set on the record, as
    ModelSerializer would, and the record is written by the model's service
    (``core.registries.writes.save``), many-to-many relations after it in the same transaction."""
    kind = type(serializer)
    method = "update" if serializer.instance is not None else "create"
    own = getattr(kind, method) is not getattr(serializers.ModelSerializer, method)
    if own or kind.save is not serializers.BaseSerializer.save:
        serializer.save()
        return
    model = kind.Meta.model
    relations = model_meta.get_field_info(model).relations
    data = dict(serializer.validated_data)
    many = {
        name: data.pop(name) for name in list(data) if name in relations and relations[name].to_many
    }
    instance = serializer.instance if serializer.instance is not None else model()
    for name, value in data.items():
        setattr(instance, name, value)
    with refused_as_400(), transaction.atomic():
        instance = writes.save(instance, acting_user=acting_user)
        for name, value in many.items():
            getattr(instance, name).set(value)
    serializer.instance = instance


def _coded_references(model) -> list[str]:
    """The references of ``model`` read as their code, and those of its closed-loop case (the
    department of an appeal, a hazard …), for ``select_related``."""
    names = []
    for f in model._meta.concrete_fields:
        if not f.is_relation:
            continue
        if getattr(f.related_model, "API_KEY", None):
            names.append(f.name)
        elif f.name == "case":
            names += [f"case__{name}" for name in _coded_references(f.related_model)]
    return names


def scope_references(serializer, viewer) -> None:
    """Every writable reference to a zone-scoped record accepts only the records the viewer
    sees: one place for all serializers, so a new field cannot point into another zone (a staff
    member created a department in the province's root zone before). Another zone's record is a
    400 "does not exist", as if it did not."""
    if not viewer.is_authenticated or not hasattr(serializer, "fields"):
        return
    for field in serializer.fields.values():
        target = getattr(field, "child_relation", field)
        queryset = getattr(target, "queryset", None)
        if field.read_only or queryset is None or not hasattr(queryset, "restrict"):
            continue
        target.queryset = queryset.restrict(viewer, VIEW)


# Bulk upserts from other systems ------------------------------------------------------------


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


def bulk_response(result) -> Response:
    """200 with the counts, or 400 with every refused record (the error body's ``errors``,
    each with its ``row``): nothing was written then."""
    if result.errors:
        return bulk_error_response(result.errors)
    return Response({"created": result.created, "updated": result.updated})
