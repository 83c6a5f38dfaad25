"""One write path per model: every write of the pages and the API goes through the service
registered for its model (``core.registries.writes``).

The writers are found, not listed: every viewset in the API router's registry that takes
writes, and every add, edit and delete page in the URL configuration. For each, a record of
the demo data is written back as a user who may (PATCH with no change, the edit form posted back
unchanged, the record's own representation or form posted again after it is gone, a delete)
with a spy (``unittest.mock.patch(wraps=...)``) on the service ``core.registries.writes``
names for the model and the action: the write must call it. The audit row proves nothing here
(a signal writes it for any save), so it is not what is checked. A new viewset or page that
saves by the default ``serializer.save()``/``form.save()`` of Django REST framework or Django,
or a model nobody registered, fails this test.
"""

import contextlib
import io
import json
from unittest import mock

import pytest
import time_machine
from django import forms
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string

from zoneops.core.access.permissions import role_may
from zoneops.core.registries import writes
from zoneops.core.tests.test_edit_roundtrip import (
    TODAY,
    add_what_the_demo_lacks,
    browser_submission,
)

pytestmark = pytest.mark.django_db

# Resources whose POST saves no record from its body (an upload starts a background job,
# jobs.services.start_import, covered in jobs/tests).
NOT_RECORD_WRITES = {"jobs"}


class Rollback(Exception):
    pass


@contextlib.contextmanager
def undone():
    """Whatever the block writes is rolled back at its end."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


@contextlib.contextmanager
def spy(model, action):
    name = writes.service_name(model, action)
    with mock.patch(name, wraps=import_string(name)) as found:
        yield found


def api_writers():
    """(prefix, viewset) of every resource of the API that takes a create, update or delete."""
    from zoneops.api.urls import router

    found = []
    for prefix, viewset, _basename in router.registry:
        if any(
            allows(viewset, name, method)
            for name, method in (
                ("create", "post"),
                ("partial_update", "patch"),
                ("destroy", "delete"),
            )
        ):
            found.append((prefix, viewset))
    return found


def page_writers():
    """(url name, view class, action) of every add, edit and delete page of a record."""
    from zoneops.core.ui.generic import ObjectDeleteView, ObjectEditView

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                if inner == "admin":
                    continue
                yield from walk(
                    pattern.url_patterns,
                    f"{namespace}:{inner}".strip(":") if inner else namespace,
                )
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                name = pattern.name or ""
                if view_class is None or not name:
                    continue
                if issubclass(view_class, ObjectEditView) and name.endswith("_edit"):
                    yield f"{namespace}:{name}", view_class, writes.UPDATE
                elif issubclass(view_class, ObjectEditView) and name.endswith("_add"):
                    yield f"{namespace}:{name}", view_class, writes.CREATE
                elif issubclass(view_class, ObjectDeleteView):
                    yield f"{namespace}:{name}", view_class, writes.DELETE

    return sorted(set(walk(get_resolver().url_patterns, "")))


@pytest.fixture
def people(settings, make_user):
    """The demo's data and its people (staff, liaison cadres, leaders, then the system
    administrator), as in test_edit_roundtrip; an approved month of each kind, a scale-up
    application and a lead's follow-up too."""
    from zoneops.core.models import Role, User, Zone
    from zoneops.enterprises.models import Enterprise, MonthApproval
    from zoneops.enterprises.services import start_scale_up
    from zoneops.indicators.models import MonthClose
    from zoneops.investment.models import Lead
    from zoneops.investment.services import log_follow_up

    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = False
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        admin = make_user("write_admin", Role.ADMIN, is_superuser=True, is_staff=True)
        admin.zones.set(Zone.objects.filter(parent=None))
        order = [Role.STAFF, Role.LIAISON, Role.LEADER]
        found = sorted(
            User.objects.filter(role__in=order, is_active=True),
            key=lambda u: (order.index(u.role), u.username),
        ) + [admin]
        for person in found:
            person.must_change_password = False
            person.save(update_fields=["must_change_password"])
        staff = User.objects.get(username="gx_staff")
        add_what_the_demo_lacks(staff)
        zone = staff.zones.get()
        enterprise = (
            Enterprise.objects.restrict(staff, "change").filter(above_scale=False).order_by("pk")[0]
        )
        start_scale_up(enterprise, year=2025, acting_user=staff)
        worker, lead = next(
            (person, Lead.objects.restrict(person, "change").order_by("pk").first())
            for person in found
            if Lead.objects.restrict(person, "change").exists()
        )
        log_follow_up(lead, text="电话沟通投资意向。", acting_user=worker, date=lead.received_on)
        MonthApproval.objects.get_or_create(
            zone=zone, year=2025, month=9, defaults={"approved_by": staff}
        )
        MonthClose.objects.get_or_create(
            zone=zone, year=2025, month=9, defaults={"approved_by": staff}
        )
    return found


def allows(viewset, handler: str, method: str) -> bool:
    return hasattr(viewset, handler) and method in viewset.http_method_names


def model_of(viewset):
    queryset = getattr(viewset, "base_queryset", None)
    if queryset is None:
        queryset = getattr(viewset, "queryset", None)
    return None if queryset is None else queryset.model


def editors_of(model, people):
    """Who may change records of ``model``: the zone tree is the system administrator's."""
    from zoneops.core.models import Zone

    return [people[-1]] if model is Zone else people


def candidates(model, people, action=writes.UPDATE, limit=40):
    """(record, person) for records of ``model`` that one of ``people`` may change (delete;
    see, to add one like it)."""
    right = {writes.CREATE: "view", writes.UPDATE: "change", writes.DELETE: "delete"}[action]
    found = []
    for obj in model._default_manager.order_by("pk")[:limit]:
        for person in people:
            if action == writes.CREATE and not role_may(person, "add", model):
                continue
            if model._default_manager.restrict(person, right).filter(pk=obj.pk).exists():
                found.append((obj, person))
                break
    return found


def gone(obj) -> bool:
    """Delete ``obj`` (test set-up, inside the caller's rolled-back block) to make room for
    adding it again; False when other records still need it."""
    try:
        with transaction.atomic():
            type(obj)._base_manager.filter(pk=obj.pk).delete()
    except ProtectedError:
        return False
    return True


def unique_fields(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for together in model._meta.unique_together:
        names.update(together)
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
    return names


def made_unique(model, body: dict) -> dict:
    """The body with each text of a unique field changed, for a record that cannot be
    deleted first."""
    body = dict(body)
    for name in unique_fields(model):
        field = model._meta.get_field(name)
        if field.get_internal_type() == "CharField" and isinstance(body.get(name), str):
            body[name] = (body[name] + "9")[-field.max_length :] if body[name] else "w9"
    return body


def owners(obj) -> list:
    """``obj`` and the records it belongs to (its foreign keys): where a value of a form or
    a representation may be kept."""
    return [obj] + [
        getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if f.many_to_one and getattr(obj, f.attname) is not None
    ]


def api_body(viewset, obj, shown: dict, request) -> dict:
    """What a client would send to add ``obj`` again: its representation, each writable field
    the representation leaves out (a masked phone) from the record."""
    body = {k: v for k, v in shown.items() if v is not None}
    serializer = viewset.serializer_class(context={"request": request})
    for name, field in serializer.fields.items():
        if field.read_only or not field.required or body.get(name) not in (None, ""):
            continue
        fill(body, obj, name)
    return body


def fill(body: dict, obj, name: str) -> None:
    """``body[name]`` as the record (or the record it belongs to) holds it."""
    owner = next((o for o in owners(obj) if hasattr(o, name)), None)
    value = getattr(owner, name, None)
    if isinstance(value, str | int | float | bool):
        body[name] = value
    elif hasattr(value, "isoformat"):
        body[name] = value.isoformat()


def takes_no_records(prefix: str, model, people) -> bool:
    """No role may add such records, or the resource answers a POST with 405 Method Not
    Allowed (its POST is an action's)."""
    from rest_framework.test import APIClient

    if not any(role_may(person, "add", model) for person in people):
        return True
    for person in people:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(person)
        if client.post(f"/api/{prefix}/", {}, format="json").status_code == 405:
            return True
    return False


def test_every_api_write_goes_through_its_models_service(people):
    """Each resource that takes writes: a PATCH, a DELETE and a POST (of a record's own
    representation, after it is gone) each call the service registered for the model."""
    from rest_framework.test import APIClient, APIRequestFactory

    writers = api_writers()
    assert len(writers) >= 30, writers
    problems, checked = [], 0
    with time_machine.travel(TODAY, tick=False):
        for prefix, viewset in writers:
            model = model_of(viewset)
            if model is None:
                continue  # no model of its own (a text message sent): no record is saved
            if not writes.is_registered(model):
                problems.append(f"/api/{prefix}/: no write service registered for {model}")
                continue
            if prefix in NOT_RECORD_WRITES:
                continue
            for action, method in (
                (writes.UPDATE, "partial_update"),
                (writes.DELETE, "destroy"),
                (writes.CREATE, "create"),
            ):
                http = {"partial_update": "patch", "destroy": "delete", "create": "post"}[method]
                if not allows(viewset, method, http):
                    continue
                if action == writes.CREATE and takes_no_records(prefix, model, people):
                    continue  # the resource adds no record (its POST is an action's)
                found = candidates(model, editors_of(model, people), action)
                if not found:
                    problems.append(f"/api/{prefix}/: no {model.__name__} for a {http.upper()}")
                    continue
                checked += 1
                last = None
                for obj, person in found:
                    client = APIClient(raise_request_exception=False)
                    client.force_authenticate(person)
                    url = f"/api/{prefix}/{obj.pk}/"
                    with undone(), spy(model, action) as service:
                        if action == writes.UPDATE:
                            answer = client.patch(url, {}, format="json")
                        elif action == writes.DELETE:
                            answer = client.delete(url)
                        else:
                            shown = client.get(url)
                            if shown.status_code != 200:
                                last = f"GET {url}: {shown.status_code}"
                                continue
                            request = APIRequestFactory().get(url)
                            request.user = person
                            body = api_body(viewset, obj, json.loads(shown.content), request)
                            if not gone(obj):
                                body = made_unique(model, body)
                            answer = client.post(f"/api/{prefix}/", body, format="json")
                            missing = [
                                e["field"]
                                for e in (getattr(answer, "data", None) or {}).get("errors", [])
                                if e.get("code") == "required"
                            ]
                            if answer.status_code == 400 and missing:
                                # a create that takes other fields than the record shows
                                for name in missing:
                                    fill(body, obj, name)
                                answer = client.post(f"/api/{prefix}/", body, format="json")
                        called = service.called
                    if called:
                        break
                    last = (
                        f"{http.upper()} {url} as {person}: {answer.status_code} "
                        + (f"{getattr(answer, 'data', '')}"[:300])
                    )
                    if answer.status_code in (200, 201, 204):
                        break  # written, and not by the service
                else:
                    problems.append(f"{last} (no {model.__name__} went through)")
                    continue
                if not called:
                    problems.append(f"{last}: written without {writes.service_name(model, action)}")
    assert not problems, "\n".join(problems)
    assert checked >= 60


def form_data(page_html: str, page_url: str) -> tuple[str, dict[str, list[str]]]:
    target, data = browser_submission(page_html, page_url)
    payload: dict[str, list[str]] = {}
    for key, value in data:
        payload.setdefault(key, []).append(value)
    return target, payload


def posted(field, value) -> list[str] | None:
    """What a browser sends for ``value`` in ``field`` (None: nothing)."""
    prepared = field.prepare_value(value)
    if isinstance(prepared, bool):
        return ["on"] if prepared else None
    if isinstance(prepared, list | tuple):
        values = [str(getattr(v, "pk", v)) for v in prepared]
        if isinstance(field, forms.MultipleChoiceField) and not hasattr(field, "queryset"):
            offered = {str(key) for key, _label in field.choices}
            values = [v for v in values if v in offered]  # a tag set by a rule is not chosen
        return values
    if prepared is None or hasattr(prepared, "_meta"):
        return None
    return [prepared.isoformat() if hasattr(prepared, "isoformat") else str(prepared)]


def filled_from(payload: dict, form, obj, person) -> dict:
    """The add form's payload with each field set as the record ``obj`` has it (its form's
    initial value, else its own or its parent's attribute), as a user adding it again would
    fill it in."""
    payload = dict(payload)
    try:
        shown = type(form)(instance=obj, user=person)
    except TypeError:
        shown = None
    for name, field in form.fields.items():
        values = None
        if shown is not None and name in shown.fields:
            initial = shown[name].initial
            if initial not in (None, "", [], ()):
                values = posted(shown.fields[name], initial)
        if values is None:
            for owner in owners(obj):
                if hasattr(owner, name):
                    value = getattr(owner, name)
                    if hasattr(value, "all") and hasattr(value, "model"):  # many-to-many
                        value = list(value.all())
                    values = posted(field, value)
                    break
        if values is not None:
            payload[name] = values
        elif isinstance(field.widget, forms.CheckboxInput):
            payload.pop(name, None)
    return payload


def made_unique_payload(model, payload: dict) -> dict:
    payload = dict(payload)
    for name in unique_fields(model):
        field = model._meta.get_field(name)
        values = payload.get(name)
        if field.get_internal_type() == "CharField" and values and values[0]:
            payload[name] = [(values[0] + "9")[-field.max_length :]]
    return payload


def test_every_page_write_goes_through_its_models_service(people, client):
    """Each add, edit and delete page: the form posted (the edit form back unchanged, the add
    form filled in with a record's values after it is gone) calls the service registered for
    the model."""
    from zoneops.core.ui.views import TreeAdminOnly

    pages = page_writers()
    assert len(pages) >= 60, pages
    admin = people[-1]
    problems, checked = [], 0
    with time_machine.travel(TODAY, tick=False):
        for name, view_class, action in pages:
            model = view_class.model
            if not writes.is_registered(model):
                problems.append(f"{name}: no write service registered for {model.__name__}")
                continue
            editors = [admin] if issubclass(view_class, TreeAdminOnly) else people
            found = candidates(model, editors, action)
            if not found:
                problems.append(f"{name}: no {model.__name__} someone may change")
                continue
            checked += 1
            last, called = None, False
            for obj, person in found:
                client.force_login(person)
                with undone(), spy(model, action) as service:
                    if action == writes.DELETE:
                        answer = client.post(reverse(name, args=[obj.pk]))
                    elif action == writes.UPDATE:
                        url = reverse(name, args=[obj.pk])
                        page = client.get(url)
                        if page.status_code != 200:
                            last = f"{name} as {person}: GET {page.status_code}"
                            continue
                        target, payload = form_data(
                            page.content.decode(), f"http://testserver{url}"
                        )
                        answer = client.post(target, payload)
                    else:
                        url = reverse(name)
                        page = client.get(url)
                        if page.status_code != 200:
                            last = f"{name} as {person}: GET {page.status_code}"
                            continue
                        target, payload = form_data(
                            page.content.decode(), f"http://testserver{url}"
                        )
                        form = page.context["form"] if page.context else None
                        if form is not None:
                            payload = filled_from(payload, form, obj, person)
                        if not gone(obj):
                            payload = made_unique_payload(model, payload)
                        answer = client.post(target, payload)
                    called = service.called
                if called:
                    break
                form = answer.context and answer.context.get("form")
                last = (
                    f"{name} #{obj.pk} as {person}: {answer.status_code} "
                    + repr(getattr(form, "errors", ""))[:300]
                )
                if answer.status_code in (302, 303):
                    break
            if not called:
                problems.append(f"{last}: without {writes.service_name(model, action)}")
    assert not problems, "\n".join(problems)
    assert checked == len(pages)
