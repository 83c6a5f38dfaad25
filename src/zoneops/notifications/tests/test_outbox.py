import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from zoneops.appeals import services as appeals
from zoneops.appeals.tests.conftest import new_appeal
from zoneops.core.loop import services as core_services
from zoneops.core.models import Department, LoopCase
from zoneops.notifications import delivery, services
from zoneops.notifications.models import (
    Channel,
    DeliveryAttempt,
    DigestRun,
    Event,
    Notification,
    OutboxMessage,
    Route,
)

D = dt.date
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PENDING, SENT, DEAD = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENT, "dead")


@pytest.fixture
def department(zone_tree):
    return Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")


@pytest.fixture
def handler(users):
    liaison = users["liaison"]
    liaison.phone = "13912345678"
    liaison.last_name, liaison.first_name = "李", "四"
    liaison.save()
    return liaison


def make_route(zone, channel, url="", *, events=(Event.ASSIGNED,), **kw) -> Route:
    route = Route(zone=zone, name=f"{channel} 群", channel=channel, webhook_url=url, **kw)
    route.set_events(events)
    route.save()
    return route


def assign(zone, users, department, handler, *, title="用电增容审批慢", on=None):
    on = on or D(2025, 9, 29)
    appeal = new_appeal(zone, users["staff"], title=title)
    appeal = appeals.transition(appeal, "accept", acting_user=users["staff"], on=on)
    return appeals.transition(
        appeal,
        "assign",
        acting_user=users["staff"],
        department=department,
        handler=handler,
        on=on,
    )


def wecom_url(server, key="693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"):
    return f"{server.url}/cgi-bin/webhook/send?key={key}"


def past(message: OutboxMessage) -> None:
    """Let a message's backoff run out."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


# Queueing -------------------------------------------------------------------------------------


def test_assignment_is_queued_in_the_transaction_of_the_change(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    appeal = new_appeal(zone_tree["park"], users["staff"])
    appeals.transition(appeal, "accept", acting_user=users["staff"])
    with pytest.raises(RuntimeError), transaction.atomic():
        appeals.transition(
            appeal, "assign", acting_user=users["staff"], department=department, handler=handler
        )
        assert OutboxMessage.objects.count() == 1  # written inside, before any commit
        raise RuntimeError("rolled back")
    assert not OutboxMessage.objects.exists()


def test_routes_match_zone_subtree_department_and_event(zone_tree, users, department, handler):
    other = Department.objects.create(zone=zone_tree["hitech"], name="经济发展局")
    wanted = make_route(zone_tree["new_area"], Channel.WECOM, "http://x/?key=1")
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=2", department=other)
    make_route(zone_tree["econ"], Channel.WECOM, "http://x/?key=3")
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=4", events=[Event.OVERDUE])
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=5", enabled=False)
    assign(zone_tree["park"], users, department, handler)
    (message,) = OutboxMessage.objects.all()
    assert message.route == wanted and message.event == Event.ASSIGNED
    assert message.zone == zone_tree["park"] and message.status == PENDING


def test_the_same_event_never_queues_twice(zone_tree, users, department, handler):
    route = make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1")
    appeal = assign(zone_tree["park"], users, department, handler)
    event = appeal.case.events.get(transition="assign")
    again = services.queue_case_event(
        appeal.case, Event.ASSIGNED, event, acting_user=users["staff"]
    )
    assert again == 1  # offered once more …
    assert OutboxMessage.objects.filter(route=route).count() == 1  # … and skipped by its key


def test_phone_numbers_in_texts_are_masked(zone_tree, users, department, handler):
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1")
    assign(zone_tree["park"], users, department, handler, title="回电13904311234催办")
    message = OutboxMessage.objects.get()
    assert "139****1234" in message.text and "13904311234" not in message.text
    assert services.mask_text("座机0431-1234567，手机 15012345678") == (
        "座机0431-1234567，手机 150****5678"
    )


# Channels -------------------------------------------------------------------------------------


def test_wecom_robot_gets_the_documented_text_message(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server, "k-123"))
    appeal = assign(zone_tree["park"], users, department, handler)
    result = delivery.drain()
    assert (result.sent, result.failed) == (1, 0)
    (request,) = robot_server.requests
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": "k-123"}
    assert request.headers["Content-Type"] == "application/json"
    body = request.json
    assert body["msgtype"] == "text" and set(body) == {"msgtype", "text"}
    assert appeal.title in body["text"]["content"] and "李四" in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == ["13912345678"]
    message = OutboxMessage.objects.get()
    assert message.status == SENT and message.attempts == 1 and message.sent_at
    attempt = DeliveryAttempt.objects.get()
    assert attempt.ok and attempt.status_code == 200 and attempt.duration_ms >= 0


def test_wecom_long_text_is_cut_to_2048_bytes():
    payload = delivery.wecom_payload("诉" * 1000)
    assert len(payload["text"]["content"].encode()) <= 2048
    assert "mentioned_mobile_list" not in payload["text"]


def test_dingtalk_robot_signs_with_the_secret(zone_tree, users, department, handler, robot_server):
    secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
    make_route(
        zone_tree["hitech"],
        Channel.DINGTALK,
        f"{robot_server.url}/robot/send?access_token=tok",
        secret=secret,
    )
    assign(zone_tree["park"], users, department, handler)
    before = int(timezone.now().timestamp() * 1000)
    assert delivery.drain().sent == 1
    (request,) = robot_server.requests
    assert request.path == "/robot/send" and request.query["access_token"] == "tok"
    timestamp = request.query["timestamp"]
    assert abs(int(timestamp) - before) < 60_000  # milliseconds since the epoch
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected  # parse_qsl undid the URL encoding
    body = request.json
    assert body["msgtype"] == "text" and "用电增容审批慢" in body["text"]["content"]
    assert body["at"]["atMobiles"] == ["13912345678"]


def test_dingtalk_sign_is_url_encoded():
    sign = delivery.dingtalk_sign("SECx", 1700000000000)
    raw = base64.b64encode(
        hmac.new(b"SECx", b"1700000000000\nSECx", hashlib.sha256).digest()
    ).decode()
    assert sign == urllib.parse.quote_plus(raw)


def test_sms_gateway_fills_the_body_template(zone_tree, robot_server, settings):
    settings.ZONEOPS_SMS_URL = f"{robot_server.url}/sms"
    settings.ZONEOPS_SMS_BODY_TEMPLATE = '{"to": $phone, "msg": $text, "sign": "高新区"}'
    settings.ZONEOPS_SMS_OK_FIELD = "code"
    settings.ZONEOPS_SMS_OK_VALUE = "0"
    robot_server.default = (200, {"code": 0})
    route = make_route(zone_tree["hitech"], Channel.SMS, phones="13800001111，13800002222")
    services.queue(
        services.route_messages(
            services.RouteTable(),
            route,
            event=Event.ASSIGNED,
            key="t",
            text='含"引号"',
            zone_id=None,
        )
    )
    assert delivery.drain().sent == 2
    assert not any("1380000" in m.idempotency_key for m in OutboxMessage.objects.all())
    bodies = sorted(r.json["to"] for r in robot_server.requests)
    assert bodies == ["13800001111", "13800002222"]
    assert robot_server.requests[0].json["msg"] == '含"引号"'
    robot_server.default = (200, {"code": 17, "msg": "blacklisted"})
    services.queue(
        services.route_messages(
            services.RouteTable(), route, event=Event.ASSIGNED, key="u", text="x", zone_id=None
        )
    )
    assert delivery.drain().failed == 2
    assert "code" in OutboxMessage.objects.filter(status=PENDING).first().last_error


def test_inapp_route_rings_the_department_members(zone_tree, users, department, handler):
    member = users["staff"]
    member.department = department
    member.save()
    make_route(zone_tree["hitech"], Channel.INAPP, department=department)
    assign(zone_tree["park"], users, department, handler)
    Notification.objects.all().delete()
    assert delivery.drain().sent == 1
    note = Notification.objects.get()
    assert note.user == member and note.kind == "assigned" and "用电增容" in note.title


# Retries, dead letters, claims ----------------------------------------------------------------


def test_failures_back_off_then_die_and_can_be_resent(
    zone_tree, users, department, handler, robot_server, settings, client_for
):
    settings.ZONEOPS_NOTIFY_MAX_ATTEMPTS = 3
    settings.ZONEOPS_NOTIFY_BACKOFF_SECONDS = 30
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler)
    robot_server.default = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    started = timezone.now()
    assert delivery.drain().failed == 1
    message = OutboxMessage.objects.get()
    assert message.status == PENDING and message.attempts == 1
    assert "93000" in message.last_error
    wait = (message.next_attempt_at - started).total_seconds()
    assert 30 <= wait < 35
    assert delivery.drain().claimed == 0  # not due yet
    past(message)
    robot_server.fail_next(1, status=502)
    delivery.drain()
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error.startswith("{")  # the 502's body
    assert (message.next_attempt_at - timezone.now()).total_seconds() >= 59  # doubled
    past(message)
    assert delivery.drain().dead == 1
    message.refresh_from_db()
    assert message.status == DEAD and message.attempts == 3
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == 3

    client = client_for(users["admin"])
    page = client.get(reverse("notifications:dead_letters"))
    assert page.status_code == 200 and "invalid webhook url" in page.content.decode()
    robot_server.default = (200, {"errcode": 0, "errmsg": "ok"})
    response = client.post(reverse("notifications:dead_letters"), {"ids": [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == PENDING and message.attempts == 0
    assert delivery.drain().sent == 1
    assert len(robot_server.requests) == 4


def test_staff_may_not_resend(zone_tree, users, client_for):
    client = client_for(users["staff"])
    assert client.get(reverse("notifications:dead_letters")).status_code == 403
    assert client.post(reverse("notifications:dead_letters"), {"ids": [1]}).status_code == 403


def test_a_claimed_message_is_not_sent_by_a_second_worker(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler)
    token, claimed = delivery.claim(10)  # worker A
    assert len(claimed) == 1
    assert delivery.drain().claimed == 0  # worker B finds nothing to do
    outcomes = {claimed[0].pk: delivery.send_http(claimed[0])}
    delivery.record(token, claimed, outcomes, timezone.now(), delivery.DrainResult())
    assert delivery.drain().claimed == 0 and delivery.drain().claimed == 0
    assert len(robot_server.requests) == 1
    assert OutboxMessage.objects.get().status == SENT


def test_a_worker_that_dies_mid_send_loses_nothing(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler)
    _token, claimed = delivery.claim(10)  # … and the process is killed before recording
    assert delivery.drain().claimed == 0  # the lease still holds
    OutboxMessage.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.drain().sent == 1
    assert len(robot_server.requests) == 1
    assert OutboxMessage.objects.get().status == SENT


def test_a_stale_worker_cannot_overwrite_a_newer_claim(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler)
    old_token, claimed = delivery.claim(10)
    OutboxMessage.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.drain().sent == 1
    failed = {claimed[0].pk: delivery.Outcome(False, 500, "late")}
    delivery.record(old_token, claimed, failed, timezone.now(), delivery.DrainResult())
    assert OutboxMessage.objects.get().status == SENT


def test_a_deleted_or_disabled_route_makes_its_messages_dead_at_once(
    zone_tree, users, department, handler, robot_server
):
    route = make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler)
    route.delete()
    assert delivery.drain().dead == 1
    disabled = make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler, title="诉求乙")
    disabled.enabled = False
    disabled.save()
    assert delivery.drain().dead == 1
    assert not robot_server.requests


# Escalations, leads, red lights ---------------------------------------------------------------


def test_due_soon_of_several_cases_is_one_group_message(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server), events=[Event.DUE_SOON])
    assign(zone_tree["park"], users, department, handler, title="诉求甲")
    assign(zone_tree["park"], users, department, handler, title="诉求乙")
    with translation.override("en"):  # a command runs in English: messages are Chinese still
        core_services.tick(on=D(2025, 10, 15))
    (message,) = OutboxMessage.objects.all()
    assert message.event == Event.DUE_SOON and "诉求甲" in message.text and "诉求乙" in message.text
    assert message.text.startswith("【长春高新区】2 件企业诉求现为：临期")
    core_services.tick(on=D(2025, 10, 15))
    assert OutboxMessage.objects.count() == 1


def test_returned_case_is_announced(zone_tree, users, department, handler):
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1", events=[Event.RETURNED])
    appeal = assign(zone_tree["park"], users, department, handler)
    appeals.transition(appeal, "return", acting_user=handler, comment="不属于本部门职责")
    message = OutboxMessage.objects.get()
    assert message.event == Event.RETURNED and "不属于本部门职责" in message.text


def test_lead_without_first_contact_is_announced_once(zone_tree, users):
    from zoneops.investment.models import Lead

    make_route(
        zone_tree["hitech"], Channel.WECOM, "http://x/?key=1", events=[Event.LEAD_NO_CONTACT]
    )
    lead = Lead.objects.create(
        name="光电模组项目",
        zone=zone_tree["hitech"],
        investor_company="深圳某光电有限公司",
        contact_name="王总",
        contact_phone="13698765432",
        method=Lead.Method.CHAIN,
        responsible=users["staff"],
        received_on=D(2025, 9, 1),
        first_contact_due=D(2025, 9, 2),
    )
    services.scan(on=D(2025, 9, 3), now=dt.datetime(2025, 9, 3, 7, tzinfo=TZ))
    route_msg = OutboxMessage.objects.get(route__isnull=False)
    assert "光电模组项目" in route_msg.text and "136****5432" in route_msg.text
    assert "13698765432" not in route_msg.text
    person = OutboxMessage.objects.get(route__isnull=True)
    assert person.channel == Channel.INAPP and person.destination == str(users["staff"].pk)
    services.scan(on=D(2025, 9, 4), now=dt.datetime(2025, 9, 4, 7, tzinfo=TZ))
    assert OutboxMessage.objects.count() == 2
    # An announced lead is not even built again.
    assert services.queue_lead_deadlines(services.RouteTable(), D(2025, 9, 5)) == 0
    lead.first_contact_on = D(2025, 9, 4)
    lead.save()


def test_project_light_turning_red_is_announced_once(zone_tree, users):
    from zoneops.projects.models import Project

    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1", events=[Event.PROJECT_RED])
    project = Project.objects.create(
        code="GX-2025-001",
        name="光电芯片产业园",
        zone=zone_tree["park"],
        type=Project.Type.NEW,
        total_investment=Decimal("50000"),
        plan_year=2025,
        planned_start=D(2025, 3, 1),
        leader=users["leader"],
    )
    services.scan(on=D(2025, 4, 1), now=dt.datetime(2025, 4, 1, 7, tzinfo=TZ))  # yellow
    assert not OutboxMessage.objects.exists()
    services.scan(on=D(2025, 7, 1), now=dt.datetime(2025, 7, 1, 7, tzinfo=TZ))  # red now
    route_msg = OutboxMessage.objects.get(route__isnull=False)
    assert "光电芯片产业园" in route_msg.text and route_msg.event == Event.PROJECT_RED
    assert OutboxMessage.objects.get(route__isnull=True).destination == str(users["leader"].pk)
    services.scan(on=D(2025, 7, 2), now=dt.datetime(2025, 7, 2, 7, tzinfo=TZ))
    assert OutboxMessage.objects.count() == 2
    assert project.pk


# Digest ---------------------------------------------------------------------------------------


def test_digest_once_per_working_day_from_the_hour(zone_tree, users, department, handler, settings):
    settings.ZONEOPS_DIGEST_HOUR = 8
    make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1", events=[Event.DIGEST])
    assign(zone_tree["park"], users, department, handler, title="诉求甲")
    core_services.tick(on=D(2025, 10, 15))  # due soon
    OutboxMessage.objects.all().delete()
    wednesday = dt.datetime(2025, 10, 15, 7, 59, tzinfo=TZ)
    assert services.queue_digest(now=wednesday) == 0  # before the hour
    assert services.queue_digest(now=wednesday.replace(hour=8, minute=0)) == 2
    assert services.queue_digest(now=wednesday.replace(hour=15)) == 0  # once a day
    person = OutboxMessage.objects.get(destination=str(handler.pk))
    assert person.event == Event.DIGEST and "诉求甲" in person.text and "1" in person.text
    group = OutboxMessage.objects.get(route__isnull=False)
    assert "诉求甲" in group.text and group.mentions == ["13912345678"]
    assert DigestRun.objects.get().messages == 2
    saturday = dt.datetime(2025, 10, 18, 9, tzinfo=TZ)
    assert services.queue_digest(now=saturday) == 0  # not a working day
    sunday_workday = dt.datetime(2025, 9, 28, 9, tzinfo=TZ)  # 调休: a working Sunday
    assert services.queue_digest(now=sunday_workday) > 0


def test_leader_digest_lists_red_projects(zone_tree, users):
    from zoneops.projects.models import Project

    Project.objects.create(
        code="GX-2025-009",
        name="新材料中试基地",
        zone=zone_tree["park"],
        type=Project.Type.NEW,
        total_investment=Decimal("1000"),
        plan_year=2025,
        planned_start=D(2025, 3, 1),
    )
    services.queue_digest(now=dt.datetime(2025, 10, 15, 9, tzinfo=TZ))
    message = OutboxMessage.objects.get(destination=str(users["leader"].pk))
    assert "新材料中试基地" in message.text


# Enterprises: 无事不扰 ------------------------------------------------------------------------


@pytest.fixture
def enterprise(zone_tree):
    from zoneops.enterprises.models import Contact
    from zoneops.enterprises.tests.factories import enterprise as make_enterprise

    ent = make_enterprise(zone_tree["park"], 1, name="长春光电科技有限公司", industry=None)
    Contact.objects.create(enterprise=ent, name="张经理", phone="13904310000", is_primary=True)
    return ent


def test_enterprise_messages_are_limited_per_month(zone_tree, users, enterprise, settings):
    settings.ZONEOPS_ENTERPRISE_SMS_PER_MONTH = 2
    for _ in range(2):
        services.send_enterprise_sms(
            enterprise, "请于周五前报送月度数据", acting_user=users["staff"]
        )
    with pytest.raises(ValidationError) as refused:
        services.send_enterprise_sms(enterprise, "再提醒一次", acting_user=users["staff"])
    text = " ".join(refused.value.messages)
    assert "长春光电科技有限公司" in text and "2" in text
    assert OutboxMessage.objects.filter(enterprise=enterprise).count() == 2
    # A message that could not be delivered did not disturb anybody.
    OutboxMessage.objects.filter(enterprise=enterprise).update(status=DEAD)
    assert services.enterprise_month_count(enterprise) == 0
    # Next month counts afresh.
    OutboxMessage.objects.update(status=PENDING, created_at=timezone.now() - dt.timedelta(days=40))
    services.send_enterprise_sms(enterprise, "新的一月", acting_user=users["staff"])


def test_enterprise_sms_page_shows_the_count_and_refuses_past_the_limit(
    zone_tree, users, enterprise, settings, client_for
):
    settings.ZONEOPS_ENTERPRISE_SMS_PER_MONTH = 1
    client = client_for(users["staff"])
    url = reverse("notifications:enterprise_sms", args=[enterprise.pk])
    page = client.get(url).content.decode()
    assert "0" in page and "1" in page
    assert client.post(url, {"text": "请报送数据"}).status_code == 302
    refused = client.post(url, {"text": "再来一条"})
    assert refused.status_code == 422
    assert "长春光电科技有限公司" in refused.content.decode()
    message = OutboxMessage.objects.get()
    assert message.destination == "13904310000" and message.channel == Channel.SMS
    assert client_for(users["other_staff"]).get(url).status_code == 404


# Pages and API --------------------------------------------------------------------------------


def test_route_pages_never_show_secrets_in_full(zone_tree, users, client_for):
    client = client_for(users["admin"])
    key = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
    secret = "SECabcdef0123456789abcdef0123456789"
    response = client.post(
        reverse("notifications:route_add"),
        {
            "zone": "GX",
            "name": "高新区督办群",
            "channel": "dingtalk",
            "events_choice": ["assigned", "overdue"],
            "webhook_url": f"https://oapi.dingtalk.com/robot/send?access_token={key}",
            "secret": secret,
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    route = Route.objects.get()
    assert route.event_list() == ["assigned", "overdue"] and route.secret == secret
    for url in (
        reverse("notifications:route_list"),
        route.get_absolute_url(),
        reverse("notifications:route_edit", args=[route.pk]),
    ):
        page = client.get(url).content.decode()
        assert key not in page and secret not in page, url
    assert "SECa****6789" in client.get(route.get_absolute_url()).content.decode()
    # Editing without the secret keeps it.
    client.post(
        reverse("notifications:route_edit", args=[route.pk]),
        {"zone": "GX", "name": "督办群", "channel": "dingtalk", "events_choice": ["assigned"]},
    )
    route.refresh_from_db()
    assert route.name == "督办群" and route.secret == secret and key in route.webhook_url
    api = client.get("/api/notification-routes/").json()
    row = api["results"][0] if "results" in api else api[0]
    assert "secret" not in row and "webhook_url" not in row
    assert row["secret_masked"] == "SECa****6789" and key not in str(row)


def test_only_administrators_change_routes(zone_tree, users, client_for):
    route = make_route(zone_tree["hitech"], Channel.WECOM, "http://x/?key=1")
    staff = client_for(users["staff"])
    assert staff.get(reverse("notifications:route_list")).status_code == 200
    assert staff.get(reverse("notifications:route_add")).status_code == 403
    assert staff.get(reverse("notifications:route_edit", args=[route.pk])).status_code == 404
    assert client_for(users["leader"]).get(reverse("notifications:route_list")).status_code == 200


def test_api_creates_routes_and_resends_dead_messages(zone_tree, users, client_for):
    client = client_for(users["admin"])
    created = client.post(
        "/api/notification-routes/",
        {
            "zone": zone_tree["hitech"].code,
            "name": "企微群",
            "channel": "wecom",
            "events": ["assigned", "digest"],
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh12345678",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["events"] == ["assigned", "digest"]
    assert "abcdefgh12345678" not in created.content.decode()
    message = OutboxMessage.objects.create(
        channel=Channel.WECOM, event=Event.ASSIGNED, text="x", idempotency_key="k",
        status=DEAD, zone=zone_tree["hitech"],
    )  # fmt: skip
    listed = client.get("/api/outbox/?status=dead").json()
    assert [r["id"] for r in listed.get("results", listed)] == [message.pk]
    done = client.post(
        "/api/outbox/resend/", {"ids": [message.pk]}, content_type="application/json"
    )
    assert done.json() == {"queued": 1}
    message.refresh_from_db()
    assert message.status == PENDING
    staff = client_for(users["staff"])
    assert (
        staff.post(
            "/api/outbox/resend/",
            {"ids": [message.pk]},
            content_type="application/json",
        ).status_code
        == 403
    )


# End to end -----------------------------------------------------------------------------------


def test_tick_sends_the_assignment_to_the_zone_wecom_group(
    zone_tree, users, department, handler, robot_server
):
    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    appeal = new_appeal(zone_tree["park"], users["staff"], title="厂区道路积水请协调")
    appeal = appeals.transition(appeal, "accept", acting_user=users["staff"])
    core_services.do_transition(
        LoopCase.objects.get(pk=appeal.case_id),
        "assign",
        acting_user=users["staff"],
        department=department,
        handler=handler,
    )
    assert not robot_server.requests  # nothing is sent inside the change
    call_command("tick", stdout=open("/dev/null", "w"))
    (request,) = [
        r for r in robot_server.requests if "厂区道路积水请协调" in r.json["text"]["content"]
    ]
    content = request.json["text"]["content"]
    assert "厂区道路积水请协调" in content and "光电产业园" in content
    call_command("tick", stdout=open("/dev/null", "w"))
    assert (
        len([r for r in robot_server.requests if "厂区道路积水请协调" in r.json["text"]["content"]])
        == 1
    )


def test_enterprise_page_shows_the_months_messages(zone_tree, users, enterprise, client_for):
    services.send_enterprise_sms(enterprise, "请报送数据", acting_user=users["staff"])
    page = client_for(users["staff"]).get(enterprise.get_absolute_url()).content.decode()
    assert 'id="enterprise-sms-count"' in page and "1" in page
    assert reverse("notifications:enterprise_sms", args=[enterprise.pk]) in page
    leader_page = client_for(users["leader"]).get(enterprise.get_absolute_url()).content.decode()
    assert reverse("notifications:enterprise_sms", args=[enterprise.pk]) not in leader_page


def test_notify_command_drains_once_and_follow_keeps_going(
    zone_tree, users, department, handler, robot_server
):
    import io
    import threading

    make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    assign(zone_tree["park"], users, department, handler, title="诉求甲")
    out = io.StringIO()
    call_command("notify", stdout=out)
    assert "sent 1" in out.getvalue() and len(robot_server.requests) == 1
    assign(zone_tree["park"], users, department, handler, title="诉求乙")
    stop = threading.Event()

    class Stopper(io.StringIO):
        def write(self, text):
            stop.set()  # stop after the first round that sent something
            return super().write(text)

    delivery.follow(interval=0.01, stop=stop, out=Stopper())
    assert len(robot_server.requests) == 2
    assert OutboxMessage.objects.filter(status=SENT).count() == 2


def test_a_route_department_must_work_in_the_routes_zone(zone_tree, users, department):
    route = Route(
        zone=zone_tree["econ"], name="经开区群", channel=Channel.INAPP, department=department
    )
    route.set_events([Event.ASSIGNED])
    with pytest.raises(ValidationError) as refused:
        services.save_route(route, acting_user=users["admin"])
    assert "department" in refused.value.message_dict
    route.zone = zone_tree["park"]  # below the department's 高新区
    assert services.save_route(route, acting_user=users["admin"]).pk
    with pytest.raises(PermissionDenied):
        services.save_route(
            Route(zone=zone_tree["hitech"], name="x", channel="inapp"), acting_user=users["staff"]
        )


def test_api_sends_enterprise_sms_within_the_limit(
    zone_tree, users, enterprise, settings, client_for
):
    settings.ZONEOPS_ENTERPRISE_SMS_PER_MONTH = 1
    client = client_for(users["staff"])
    url = "/api/enterprise-sms/"
    first = client.post(
        url, {"enterprise": enterprise.pk, "text": "请报送"}, content_type="application/json"
    )
    assert first.status_code == 201 and first.json()["this_month"] == 1
    second = client.post(
        url, {"enterprise": enterprise.pk, "text": "再报"}, content_type="application/json"
    )
    assert second.status_code == 400 and "长春光电科技有限公司" in second.content.decode()
    other = client_for(users["other_staff"]).post(
        url, {"enterprise": enterprise.pk, "text": "x"}, content_type="application/json"
    )
    assert other.status_code == 404


def test_outbox_pages_show_attempts_and_mask_phones(
    zone_tree, users, robot_server, settings, client_for
):
    settings.ZONEOPS_SMS_URL = f"{robot_server.url}/sms"
    route = make_route(zone_tree["hitech"], Channel.SMS, phones="13800001111")
    services.queue(
        services.route_messages(
            services.RouteTable(), route, event=Event.ASSIGNED, key="p", text="催办",
            zone_id=zone_tree["hitech"].pk,
        )
    )  # fmt: skip
    robot_server.fail_next(1, status=503)
    delivery.drain()
    message = OutboxMessage.objects.get()
    client = client_for(users["admin"])
    listing = client.get(reverse("notifications:outboxmessage_list") + "?status=pending")
    assert listing.status_code == 200 and "催办" in listing.content.decode()
    detail = client.get(message.get_absolute_url()).content.decode()
    assert "138****1111" in detail and "13800001111" not in detail and "503" in detail
    api = client.get(f"/api/outbox/{message.pk}/").json()
    assert api["destination"] == "138****1111"
    assert client_for(users["staff"]).get(message.get_absolute_url()).status_code == 404


def test_route_test_message_shows_the_robots_answer(zone_tree, users, robot_server, client_for):
    route = make_route(zone_tree["hitech"], Channel.WECOM, wecom_url(robot_server))
    client = client_for(users["admin"])
    assert (
        reverse("notifications:route_test", args=[route.pk])
        in client.get(route.get_absolute_url()).content.decode()
    )
    page = client.post(reverse("notifications:route_test", args=[route.pk]), follow=True)
    assert "ms" in page.content.decode() and len(robot_server.requests) == 1
    assert "测试" in robot_server.requests[0].json["text"]["content"]
    robot_server.fail_next(1, status=200, body={"errcode": 93000, "errmsg": "invalid webhook url"})
    page = client.post(reverse("notifications:route_test", args=[route.pk]), follow=True)
    assert "93000" in page.content.decode()
    assert not OutboxMessage.objects.exists()  # a test is not a message of the outbox
    staff = client_for(users["staff"])
    assert staff.post(reverse("notifications:route_test", args=[route.pk])).status_code == 404


def test_a_blocker_handed_to_the_leader_reaches_them_and_the_group(zone_tree, users, department):
    from zoneops.projects import services as projects
    from zoneops.projects.tests.factories import make_project

    group = make_route(
        zone_tree["hitech"], Channel.WECOM, "http://127.0.0.1:9/hook", events=[Event.ESCALATED]
    )
    project = make_project(zone_tree["park"], 1, leader=users["leader"])
    blocker = projects.raise_blocker(
        project, kind="water", description="供水管网未接入", acting_user=users["staff"]
    )
    for name, extra in (
        ("assign", {"department": department, "handler": users["staff"]}),
        ("start", {}),
        ("escalate", {"comment": "需协调水务集团"}),
    ):
        projects.blocker_transition(blocker, name, acting_user=users["staff"], **extra)
        blocker.case.refresh_from_db()
    bell = Notification.objects.get(user=users["leader"], kind=Notification.Kind.ESCALATED)
    assert project.name in bell.title or blocker.case.title in bell.title
    assert "需协调水务集团" in bell.title and bell.case_id == blocker.case_id
    message = OutboxMessage.objects.get(route=group, event=Event.ESCALATED)
    assert "包保领导" in message.text and "需协调水务集团" in message.text


def test_an_appeal_handed_to_the_leader_reaches_the_enterprises_lead_cadre(
    zone_tree, users, department, handler
):
    from zoneops.appeals.models import Appeal
    from zoneops.enterprises.models import Enterprise, LiaisonAssignment
    from zoneops.enterprises.tests.factories import code

    enterprise = Enterprise.objects.create(
        uscc=code(1), name="长春光电科技有限公司", zone=zone_tree["park"]
    )
    LiaisonAssignment.objects.create(enterprise=enterprise, user=users["leader"], is_lead=True)
    LiaisonAssignment.objects.create(enterprise=enterprise, user=users["liaison"])
    appeal = assign(zone_tree["park"], users, department, handler)
    Appeal.objects.filter(pk=appeal.pk).update(enterprise=enterprise)
    appeals.transition(
        appeal, "escalate_leader", acting_user=users["staff"], comment="九解一协调未能解决"
    )
    told = Notification.objects.filter(kind=Notification.Kind.ESCALATED)
    assert list(told.values_list("user", flat=True)) == [users["leader"].pk]
