"""The public page: submission with a challenge, the registry check, limits, lookup, rating."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from zoneops.appeals import services
from zoneops.appeals.models import Appeal, Submission
from zoneops.appeals.tests.conftest import make_uscc

SUBMIT = "/public/appeals/"
LOOKUP = "/public/appeals/status/"


@pytest.fixture(autouse=True)
def _quick_challenge(settings):
    settings.ZONEOPS_APPEAL_CHALLENGE_SECONDS = (0, 7200)
    cache.clear()


def form(client, **extra):
    page = client.get(SUBMIT)
    assert page.status_code == 200
    a, b = (int(x) for x in page.context["question"].split(" + "))
    data = {
        "uscc": make_uscc(1),
        "contact_name": "张经理",
        "contact_phone": "139-0431-1234",
        "category": "utilities",
        "title": "厂区停电频繁",
        "description": "近一个月停电三次，影响生产。",
        "answer": a + b,
        "token": page.context["form"].initial["token"],
        "website": "",
    }
    return data | extra


def test_page_needs_no_login_and_shows_a_question(client):
    page = client.get(SUBMIT)
    assert page.status_code == 200
    assert "=" in page.content.decode()


def test_submission_gets_a_tracking_number_and_opens_the_loop(client, enterprise):
    response = client.post(SUBMIT, form(client))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.tracking_number in response["Location"]
    assert submission.zone == enterprise.zone and submission.contact_phone == "13904311234"
    appeal = submission.appeals.get()
    assert appeal.enterprise == enterprise and appeal.channel == "online"
    assert appeal.case.state == "submitted" and appeal.case.kind == "appeal"
    done = client.get(response["Location"])
    assert submission.tracking_number in done.content.decode()


def test_replayed_form_makes_no_duplicate(client, enterprise):
    data = form(client)
    first = client.post(SUBMIT, data)
    second = client.post(SUBMIT, data)
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1 and Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uscc": make_uscc(2)}, "未登记"),  # valid code, not in the registry
        ({"uscc": make_uscc(1)[:-1] + "0"}, "校验"),  # wrong check digit
        ({"uscc": "123"}, "18"),
        ({"answer": 99}, "答案"),
        ({"website": "http://spam.example"}, ""),
        ({"token": "forged:token:value"}, ""),
        ({"contact_phone": "12"}, "电话"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, enterprise, change, message):
    response = client.post(SUBMIT, form(client, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exists() and not Appeal.objects.exists()


def test_too_fast_is_refused(client, enterprise, settings):
    settings.ZONEOPS_APPEAL_CHALLENGE_SECONDS = (30, 7200)
    response = client.post(SUBMIT, form(client))
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_a_flood_from_one_address_is_limited(client, enterprise, settings):
    settings.ZONEOPS_APPEAL_PUBLIC_RATE = (5, 3600)
    statuses = [client.post(SUBMIT, form(client)).status_code for _ in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert Submission.objects.count() == 5
    # another address (behind the trusted local proxy) is not affected
    other = client.post(SUBMIT, form(client), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other.status_code == 302
    assert Submission.objects.count() == 6


def test_forwarded_address_is_ignored_from_an_untrusted_peer(client, enterprise, settings):
    settings.ZONEOPS_APPEAL_PUBLIC_RATE = (2, 3600)
    codes = [
        client.post(
            SUBMIT, form(client), REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def submitted(client):
    client.post(SUBMIT, form(client))
    return Submission.objects.get()


def test_lookup_needs_the_right_phone_digits(client, enterprise):
    submission = submitted(client)
    wrong = client.post(
        LOOKUP, {"tracking_number": submission.tracking_number, "phone_suffix": "0000"}
    )
    assert wrong.status_code == 404
    assert "厂区停电频繁" not in wrong.content.decode()
    right = client.post(
        LOOKUP, {"tracking_number": submission.tracking_number.lower(), "phone_suffix": "1234"}
    )
    assert right.status_code == 200
    assert "厂区停电频繁" in right.content.decode()
    assert (
        client.post(LOOKUP, {"tracking_number": "SQ1", "phone_suffix": "12a4"}).status_code == 404
    )


def test_lookup_guessing_is_limited(client, enterprise):
    submission = submitted(client)
    for i in range(20):
        client.post(
            LOOKUP, {"tracking_number": submission.tracking_number, "phone_suffix": f"{i:04d}"}
        )
    blocked = client.post(
        LOOKUP, {"tracking_number": submission.tracking_number, "phone_suffix": "1234"}
    )
    assert blocked.status_code == 429


def test_lookup_failures_are_counted_for_every_worker_process(client, enterprise):
    """gunicorn runs several processes: a guesser must not get 20 tries from each of them."""
    import subprocess
    import sys

    submission = submitted(client)
    for i in range(3):
        client.post(
            LOOKUP, {"tracking_number": submission.tracking_number, "phone_suffix": f"{i:04d}"}
        )
    key = f"appeal-lookup-fail:{services.client_key('127.0.0.1')}"
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            f"print(len(cache.get({key!r})))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_process.stdout.strip() == "3"


def test_enterprise_rates_on_the_public_page(client, enterprise, users, department):
    submission = submitted(client)
    appeal = submission.appeals.get()
    staff, liaison = users["staff"], users["liaison"]
    for name, kw, who in [
        ("accept", {}, staff),
        ("assign", {"department": department, "handler": liaison}, staff),
        ("start", {}, liaison),
        ("reply", {"comment": "已协调供电公司检修线路"}, liaison),
    ]:
        appeal = services.transition(appeal, name, acting_user=who, **kw)
    base = {"tracking_number": submission.tracking_number, "phone_suffix": "1234"}
    page = client.post(LOOKUP, base)
    assert "已协调供电公司检修线路" in page.content.decode()
    low = client.post(LOOKUP, base | {"action": "rate", "appeal": appeal.pk, "score": "1"})
    assert "请说明" in low.content.decode()  # a low rating needs a comment
    client.post(
        LOOKUP,
        base | {"action": "rate", "appeal": appeal.pk, "score": "1", "comment": "仍然停电"},
    )
    appeal.refresh_from_db()
    assert appeal.case.state == "in_progress" and appeal.reopen_count == 1
    event = appeal.case.events.last()
    assert event.transition == "reopen" and event.actor is None and "仍然停电" in event.comment


def test_staff_page_lists_public_submissions(client, enterprise, client_for, users):
    submission = submitted(client)
    response = client_for(users["staff"]).get(
        reverse("appeals:appeal_list"), {"q": submission.tracking_number}
    )
    assert [obj.submission for obj, _cells in response.context["rows"]] == [submission]


@pytest.mark.django_db(transaction=True)
def test_forms_from_one_address_at_the_same_moment_keep_to_the_limit(enterprise, settings):
    """The limit is a count then an insert; at the same moment both must not see room for one."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs these transactions one at a time (BEGIN IMMEDIATE)")
    settings.ZONEOPS_APPEAL_PUBLIC_RATE = (1, 3600)
    start = threading.Barrier(6)
    outcomes = []

    def send(index):
        from django.core.exceptions import ValidationError
        from django.db import connections

        start.wait()
        try:
            services.public_submit(
                uscc=make_uscc(1),
                contact_name="张经理",
                contact_phone="13904311234",
                title=f"同时提交{index}",
                category="utilities",
                description="同一地址同时提交。",
                address="203.0.113.20",
                nonce=f"same-moment-{index}",
            )
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["rate_limited"] * 5 + ["saved"]
    assert Submission.objects.count() == 1


def test_wrong_digits_are_limited_per_tracking_number_from_any_address(client, enterprise):
    """Issue #17, 7: a guesser spreading over addresses still gets five tries per number."""
    submission = submitted(client)
    number = submission.tracking_number
    for i in range(5):
        response = client.post(
            LOOKUP, {"tracking_number": number, "phone_suffix": f"{i:04d}"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )  # fmt: skip
        assert response.status_code == 404
    blocked = client.post(
        LOOKUP, {"tracking_number": number, "phone_suffix": "1234"}, REMOTE_ADDR="198.51.100.99"
    )
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 3000
    assert "分钟" in blocked.content.decode()  # says when to try again


def test_correct_lookups_are_never_counted(client, enterprise):
    submission = submitted(client)
    for _i in range(30):
        response = client.post(
            LOOKUP, {"tracking_number": submission.tracking_number, "phone_suffix": "1234"}
        )
        assert response.status_code == 200


def test_the_lookup_limit_lasts_a_real_hour(client, enterprise, settings):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    settings.ZONEOPS_APPEAL_LOOKUP_FAILURES = 3
    submission = submitted(client)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for i in range(3):
            client.post(LOOKUP, {"tracking_number": f"SQX{i}", "phone_suffix": "0000"})
        right = {"tracking_number": submission.tracking_number, "phone_suffix": "1234"}
        assert client.post(LOOKUP, right).status_code == 429
        clock.shift(dt.timedelta(minutes=10))  # the file cache's old window was five minutes
        assert client.post(LOOKUP, right).status_code == 429
        clock.shift(dt.timedelta(minutes=51))
        assert client.post(LOOKUP, right).status_code == 200
