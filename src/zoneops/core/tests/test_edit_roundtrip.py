"""Every edit form, posted back unchanged as a browser would, keeps its record as it was.

The forms are found through the URL configuration (every ``<app>:<model>_edit`` pattern with a
``pk``), so a new edit page is checked without being listed here. Records come from the demo
data; for each model the record with the most filled-in fields is edited, by a user who may.
"""

import datetime as dt
import io
from urllib.parse import urljoin

import lxml.html
import pytest
import time_machine
from django.core.management import call_command
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

# Inside the demo's data (figures, deadlines), a fixed working day.
TODAY = dt.datetime(2025, 11, 18, 10, 0, tzinfo=dt.UTC)


def edit_views():
    """(url name, view class) of every edit page of a record in the product."""

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
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("_edit"):
                view_class = getattr(pattern.callback, "view_class", None)
                if "<int:pk>" in str(pattern.pattern) and view_class is not None:
                    yield f"{namespace}:{pattern.name}", view_class

    return sorted(set(walk(get_resolver().url_patterns, "")), key=lambda item: item[0])


def browser_submission(html: str, page_url: str) -> tuple[str, list[tuple[str, str]]]:
    """The form a user would submit on the page (the one holding the most fields), and what a
    browser sends for it untouched: named, enabled controls; checked boxes and radios; the
    selected options of each select (the first option when none is selected and the select
    takes one value); textareas without the newline that follows the opening tag."""
    document = lxml.html.fromstring(html)
    forms = [f for f in document.forms if (f.get("method") or "get").lower() == "post"]
    form = max(forms, key=lambda f: len(f.xpath(".//input|.//select|.//textarea")))
    data: list[tuple[str, str]] = []
    for element in form.xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.xpath("ancestor::fieldset[@disabled]"):
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    data.append((name, element.get("value", "on")))
                continue
            data.append((name, element.get("value", "")))
        elif element.tag == "textarea":
            text = element.text or ""
            data.append((name, text[1:] if text.startswith("\n") else text))
        else:
            options = [o for o in element.xpath(".//option")]
            chosen = [o for o in options if o.get("selected") is not None]
            if element.get("multiple") is None:
                chosen = chosen[-1:] or [o for o in options if o.get("disabled") is None][:1]
            for option in chosen:
                value = option.get("value")
                data.append((name, option.text_content().strip() if value is None else value))
    return urljoin(page_url, form.get("action") or page_url), data


def snapshot(obj: models.Model) -> dict:
    """Every concrete field (but the save time) and every many-to-many relation."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    state = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if not getattr(field, "auto_now", False)
    }
    for field in obj._meta.many_to_many:
        state[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return state


def filled(obj: models.Model) -> int:
    count = sum(
        getattr(obj, f.attname) not in (None, "", [], {}) for f in obj._meta.concrete_fields
    )
    return count + sum(getattr(obj, f.name).exists() for f in obj._meta.many_to_many)


def editor_and_record(model, people):
    """The record of ``model`` with the most filled-in fields that one of ``people`` may
    change, and that person."""
    best = None
    for obj in model._default_manager.order_by("pk")[:200]:
        for person in people:
            if model.objects.restrict(person, "change").filter(pk=obj.pk).exists():
                score = filled(obj)
                if best is None or score > best[0]:
                    best = (score, obj, person)
                break
    return (None, None) if best is None else best[1:]


def add_what_the_demo_lacks(staff) -> None:
    """One record of each editable model the demo data has none of, in the staff's zone."""
    from zoneops.enterprises.models import Contact, Enterprise
    from zoneops.intake import services as intake
    from zoneops.notifications.models import Channel, Event, Route
    from zoneops.projects.models import ProgressNote, Project
    from zoneops.reports.services import build_pack

    zone = staff.zones.get()
    enterprise = Enterprise.objects.filter(zone=zone).order_by("pk").first()
    Contact.objects.create(
        enterprise=enterprise, name="周红", role="总经理", phone="13800000000", is_primary=True
    )
    intake.register_document(
        acting_user=staff, zone=zone, title="区情通报", text="今年地区生产总值增长6%。"
    )
    route = Route(zone=zone, name="值班群", channel=Channel.INAPP, source="测试")
    route.set_events([Event.OVERDUE, Event.ESCALATED])
    route.save()
    project = Project.objects.filter(zone=zone).order_by("pk").first()
    ProgressNote.objects.create(project=project, text="主体结构封顶。", author=staff)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    build_pack(zone=zone, year=last_month.year, month=last_month.month, acting_user=staff)


def test_every_edit_form_posted_back_unchanged_keeps_its_record(client, settings, make_user):
    from zoneops.core.models import Role, User, Zone
    from zoneops.core.ui.views import TreeAdminOnly

    settings.ZONEOPS_REQUIRE_ADMIN_TOTP = False
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        admin = make_user("edit_admin", Role.ADMIN, is_superuser=True, is_staff=True)
        admin.zones.set(Zone.objects.filter(parent=None))
        # Whoever works on the records: the demo's staff and liaison cadres, then the leaders,
        # then the system administrator (zones, departments).
        order = [Role.STAFF, Role.LIAISON, Role.LEADER]
        people = sorted(
            User.objects.filter(role__in=order, is_active=True),
            key=lambda u: (order.index(u.role), u.username),
        ) + [admin]
        for person in people:
            person.must_change_password = False
            person.save(update_fields=["must_change_password"])
        add_what_the_demo_lacks(User.objects.get(username="gx_staff"))

    # Records are edited long after they were made: choices offered for new records (recent
    # inspection rounds, this year's targets) must not take the record's own away.
    with time_machine.travel(TODAY + dt.timedelta(days=400), tick=False):
        checked, problems = [], []
        views = edit_views()
        assert len(views) >= 30, views
        for name, view_class in views:
            model = view_class.model
            # The zone tree's pages are the system administrator's alone (TreeAdminOnly).
            editors = [admin] if issubclass(view_class, TreeAdminOnly) else people
            obj, person = editor_and_record(model, editors)
            if obj is None:
                problems.append(f"{name}: no {model.__name__} in the demo that someone may edit")
                continue
            client.force_login(person)
            url = reverse(name, args=[obj.pk])
            before = snapshot(obj)
            page = client.get(url)
            if page.status_code != 200:
                problems.append(f"{name} as {person}: GET answered {page.status_code}")
                continue
            action, data = browser_submission(page.content.decode(), f"http://testserver{url}")
            payload: dict[str, list[str]] = {}
            for key, value in data:
                payload.setdefault(key, []).append(value)
            response = client.post(action, payload)
            if response.status_code != 302:
                errors = response.context and response.context.get("form")
                problems.append(
                    f"{name} #{obj.pk} as {person}: answered {response.status_code}, "
                    f"form errors {getattr(errors, 'errors', None)!r}"
                )
                continue
            after = snapshot(obj)
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                problems.append(f"{name} #{obj.pk} as {person}: changed {changed}")
            checked.append(name)
    assert not problems, "\n".join(problems)
    assert len(checked) == len(views)
