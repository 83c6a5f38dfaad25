"""Sending the outbox: channels (in-app bell, WeCom and DingTalk group robots, SMS) and the
drain loop with claims, retries, backoff and the dead-letter state.

A drain claims a batch of due messages with one UPDATE that stamps them with a claim token and
a lease (``claimed_until``); only rows whose lease has run out can be claimed again, so two
workers never send the same row, and a worker that dies mid-send leaves its rows to be picked
up when the lease ends. HTTP goes out on a thread pool of pooled keep-alive connections; the
results are written back for the claim token only, one transaction per batch, with one
``DeliveryAttempt`` row per try.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import string
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import urllib3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zoneops.notifications.models import (
    Channel,
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    Route,
)

log = logging.getLogger(__name__)
WECOM_MAX_BYTES = 2048  # text.content of a WeCom robot message: at most 2048 bytes (UTF-8)
DINGTALK_MAX_BYTES = 20000


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0
    permanent: bool = False  # no point in retrying (e.g. the route was deleted)


def max_attempts() -> int:
    return int(getattr(settings, "ZONEOPS_NOTIFY_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: doubling from
    ``ZONEOPS_NOTIFY_BACKOFF_SECONDS`` up to ``ZONEOPS_NOTIFY_BACKOFF_MAX_SECONDS``, with up to
    10 % jitter so that a failed burst does not come back as one."""
    base = float(getattr(settings, "ZONEOPS_NOTIFY_BACKOFF_SECONDS", 30))
    cap = float(getattr(settings, "ZONEOPS_NOTIFY_BACKOFF_MAX_SECONDS", 3600))
    delay = min(base * (2 ** max(attempts - 1, 0)), cap)
    return delay * (1 + random.random() / 10)


def truncate_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


# HTTP -----------------------------------------------------------------------------------------

_pools: dict[int, urllib3.PoolManager] = {}
_pools_lock = threading.Lock()


def http_pool() -> urllib3.PoolManager:
    """One pool of keep-alive connections per host, shared by the sending threads (urllib3's
    pools are thread-safe). Sized to the number of threads, so no connection is thrown away."""
    size = int(getattr(settings, "ZONEOPS_NOTIFY_WORKERS", 16))
    with _pools_lock:
        if size not in _pools:
            _pools[size] = urllib3.PoolManager(
                num_pools=50,
                maxsize=size,
                block=False,
                retries=False,
                headers={"User-Agent": "zoneops-notify"},
            )
        return _pools[size]


def timeout() -> float:
    return float(getattr(settings, "ZONEOPS_NOTIFY_TIMEOUT_SECONDS", 10))


def post(url: str, *, json_body=None, data=None, headers=None, check=None) -> Outcome:
    """POST and judge the answer: 2xx, and ``check(parsed JSON)`` returning "" when it is fine
    (else the error). Network errors are failures, never exceptions."""
    started = time.perf_counter()
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    try:
        response = http_pool().request(
            "POST", url, body=data, headers=headers, timeout=timeout(), redirect=False
        )
        body = response.data
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
    duration = _ms(started)
    if not 200 <= response.status < 300:
        return Outcome(False, response.status, body[:300].decode(errors="replace"), duration)
    if check is not None:
        try:
            parsed = json.loads(body or b"null")
        except ValueError:
            problem = "not JSON: " + body[:200].decode(errors="replace")
            return Outcome(False, response.status, problem, duration)
        problem = check(parsed)
        if problem:
            return Outcome(False, response.status, problem[:500], duration)
    return Outcome(True, response.status, "", duration)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def errcode_zero(parsed) -> str:
    """WeCom and DingTalk robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``;
    any other errcode is a failure."""
    if isinstance(parsed, dict) and parsed.get("errcode") == 0:
        return ""
    if isinstance(parsed, dict):
        return f"errcode {parsed.get('errcode')}: {parsed.get('errmsg', '')}"
    return f"unexpected answer: {parsed!r}"[:300]


# Channels -------------------------------------------------------------------------------------


def wecom_payload(text: str, mentions: Iterable[str] = ()) -> dict:
    """A WeCom group robot text message."""
    content = {"content": truncate_bytes(text, WECOM_MAX_BYTES)}
    mentions = list(mentions)
    if mentions:
        content["mentioned_mobile_list"] = mentions
    return {"msgtype": "text", "text": content}


def dingtalk_payload(text: str, mentions: Iterable[str] = ()) -> dict:
    """A DingTalk custom robot text message."""
    return {
        "msgtype": "text",
        "text": {"content": truncate_bytes(text, DINGTALK_MAX_BYTES)},
        "at": {"atMobiles": list(mentions), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64 of HMAC-SHA256 over "timestamp\\nsecret" keyed with the secret,
    URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


class SmsGateway:
    """Sends one text message to one phone number."""

    def send(self, phone: str, text: str) -> Outcome:
        raise NotImplementedError


class HttpSmsGateway(SmsGateway):
    """An SMS provider reached by one HTTP POST: ``ZONEOPS_SMS_URL`` and a body template
    (``ZONEOPS_SMS_BODY_TEMPLATE``, ``$phone`` and ``$text`` replaced by JSON strings, so the
    default template is JSON), sent as ``ZONEOPS_SMS_CONTENT_TYPE``. A 2xx answer is success;
    with ``ZONEOPS_SMS_OK_FIELD`` set, that field of the JSON answer must also equal
    ``ZONEOPS_SMS_OK_VALUE``."""

    def __init__(self, url=None, template=None, content_type=None, ok_field=None, ok_value=None):
        self.url = url if url is not None else getattr(settings, "ZONEOPS_SMS_URL", "")
        self.template = string.Template(
            template
            if template is not None
            else getattr(
                settings, "ZONEOPS_SMS_BODY_TEMPLATE", '{"phone": $phone, "content": $text}'
            )
        )
        self.content_type = content_type or getattr(
            settings, "ZONEOPS_SMS_CONTENT_TYPE", "application/json; charset=utf-8"
        )
        self.ok_field = (
            ok_field if ok_field is not None else getattr(settings, "ZONEOPS_SMS_OK_FIELD", "")
        )
        self.ok_value = (
            ok_value if ok_value is not None else getattr(settings, "ZONEOPS_SMS_OK_VALUE", 0)
        )

    def body(self, phone: str, text: str) -> bytes:
        return self.template.substitute(
            phone=json.dumps(phone, ensure_ascii=False), text=json.dumps(text, ensure_ascii=False)
        ).encode()

    def check(self, parsed) -> str:
        if not self.ok_field:
            return ""
        value = parsed.get(self.ok_field) if isinstance(parsed, dict) else None
        return (
            ""
            if str(value) == str(self.ok_value)
            else f"{self.ok_field}={value!r}: {parsed!r}"[:300]
        )

    def send(self, phone: str, text: str) -> Outcome:
        if not self.url:
            return Outcome(False, error="ZONEOPS_SMS_URL is not set", permanent=True)
        return post(
            self.url,
            data=self.body(phone, text),
            headers={"Content-Type": self.content_type},
            check=self.check if self.ok_field else None,
        )


def sms_gateway() -> SmsGateway:
    return HttpSmsGateway()


def send_http(message: OutboxMessage, gateway: SmsGateway | None = None) -> Outcome:
    """One try at a robot or SMS message (runs on a pool thread: no database access)."""
    route = message.route
    if route is not None and not route.enabled:
        return Outcome(False, error="the route is disabled", permanent=True)
    if message.channel == Channel.SMS:
        return (gateway or sms_gateway()).send(message.destination, message.text)
    if route is None or not route.webhook_url:
        return Outcome(False, error="the route or its webhook address is gone", permanent=True)
    if message.channel == Channel.WECOM:
        return post(
            route.webhook_url,
            json_body=wecom_payload(message.text, message.mentions),
            check=errcode_zero,
        )
    if message.channel == Channel.DINGTALK:
        return post(
            dingtalk_url(route.webhook_url, route.secret),
            json_body=dingtalk_payload(message.text, message.mentions),
            check=errcode_zero,
        )
    return Outcome(False, error=f"unknown channel {message.channel}", permanent=True)


def deliver_inapp(messages: list[OutboxMessage], now: dt.datetime) -> dict[int, Outcome]:
    """Bell notices for in-app messages: one per user named in the destination."""
    rows, outcomes = [], {}
    kinds = {
        "assigned": Notification.Kind.ASSIGNED,
        "due_soon": Notification.Kind.DUE_SOON,
        "overdue": Notification.Kind.OVERDUE,
        "escalated": Notification.Kind.ESCALATED,
    }
    for message in messages:
        users = [int(u) for u in message.destination.split(",") if u.strip().isdigit()]
        kind = kinds.get(message.event, Notification.Kind.INFO)
        for user_id in users:
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=kind,
                    title=message.text[:300],
                    url=message.url[:300],
                    created_at=now,
                )
            )
        outcomes[message.pk] = Outcome(True)
    from django.contrib.auth import get_user_model

    existing = set(
        get_user_model()
        .objects.filter(pk__in={r.user_id for r in rows})
        .values_list("pk", flat=True)
    )
    Notification.objects.bulk_create([r for r in rows if r.user_id in existing], batch_size=2000)
    return outcomes


# Draining -------------------------------------------------------------------------------------


@dataclass
class DrainResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, failed {self.failed} "
            f"(of which {self.dead} dead)"
        )


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=int(getattr(settings, "ZONEOPS_NOTIFY_WORKERS", 16)),
                thread_name_prefix="zoneops-notify",
            )
        return _pool


def lease() -> dt.timedelta:
    # Longer than a whole batch can take, so that a live worker's rows are never taken over.
    return dt.timedelta(seconds=float(getattr(settings, "ZONEOPS_NOTIFY_LEASE_SECONDS", 300)))


def claim(limit: int, *, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Claim up to ``limit`` due messages for this worker, in one UPDATE."""
    now = now or timezone.now()
    token = uuid.uuid4()
    due = Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    ids = OutboxMessage.objects.filter(due).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another worker is claiming right now are passed over, not waited for.
        ids = ids.select_for_update(skip_locked=True)
    ids = ids.values("pk")[:limit]
    # The conditions are repeated on the outer rows: a row claimed by another worker between
    # the subquery and the update is re-checked (PostgreSQL) or never seen (SQLite) and skipped.
    with transaction.atomic():
        count = OutboxMessage.objects.filter(due, pk__in=ids).update(
            claim_token=token, claimed_until=now + lease()
        )
    if not count:
        return token, []
    messages = list(
        OutboxMessage.objects.filter(claim_token=token)
        .only(
            "pk", "route_id", "channel", "destination", "event", "text", "mentions", "url",
            "attempts",
        )
        .order_by("pk")
    )  # fmt: skip
    routes = Route.objects.in_bulk({m.route_id for m in messages if m.route_id})
    for message in messages:
        message.route = routes.get(message.route_id)
    return token, messages


def _executemany(sql: str, rows: list[tuple]) -> int:
    """One prepared statement for many rows: far cheaper than the ORM's per-row expressions
    (``bulk_update`` builds a CASE per field) when a batch has a thousand rows."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return cursor.rowcount


def record(token: uuid.UUID, messages, outcomes: dict[int, Outcome], now: dt.datetime, result):
    """Write back one batch's outcomes, only for rows still held by this claim: a worker whose
    lease ran out (and whose rows another took over) changes nothing."""
    ops = connection.ops
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    claim_value = OutboxMessage._meta.get_field("claim_token").get_db_prep_value(token, connection)
    when = ops.adapt_datetimefield_value(now)
    limit = max_attempts()
    sent, failed = [], []
    for message in messages:
        outcome = outcomes[message.pk]
        if outcome.ok:
            sent.append((when, message.pk, claim_value))
            continue
        attempts = message.attempts + 1
        if outcome.permanent or attempts >= limit:
            status, retry_at = OutboxMessage.Status.DEAD, now
            result.dead += 1
        else:
            status = OutboxMessage.Status.PENDING
            retry_at = now + dt.timedelta(seconds=backoff(attempts))
        error = outcome.error or f"HTTP {outcome.status_code}"
        failed.append(
            (status, error[:2000], ops.adapt_datetimefield_value(retry_at), message.pk, claim_value)
        )
    attempt_table = ops.quote_name(DeliveryAttempt._meta.db_table)
    columns = ", ".join(
        ops.quote_name(c)
        for c in ("message_id", "time", "ok", "status_code", "error", "duration_ms")
    )
    with transaction.atomic():
        _executemany(
            f"INSERT INTO {attempt_table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    m.pk,
                    when,
                    outcomes[m.pk].ok,
                    outcomes[m.pk].status_code,
                    outcomes[m.pk].error[:1000],
                    outcomes[m.pk].duration_ms,
                )
                for m in messages
            ],
        )
        _executemany(
            f"UPDATE {table} SET status = 'sent', sent_at = %s, attempts = attempts + 1, "
            "claimed_until = NULL, claim_token = NULL, last_error = '' "
            "WHERE id = %s AND claim_token = %s",
            sent,
        )
        _executemany(
            f"UPDATE {table} SET status = %s, last_error = %s, next_attempt_at = %s, "
            "attempts = attempts + 1, claimed_until = NULL, claim_token = NULL "
            "WHERE id = %s AND claim_token = %s",
            failed,
        )
    result.sent += len(sent)
    result.failed += len(failed)


def drain(
    *,
    batch: int | None = None,
    max_messages: int | None = None,
    gateway: SmsGateway | None = None,
) -> DrainResult:
    """Send every message that is due now (those failing again wait for their backoff)."""
    batch = batch or int(getattr(settings, "ZONEOPS_NOTIFY_BATCH", 500))
    result = DrainResult()
    executor = pool()
    while max_messages is None or result.claimed < max_messages:
        size = batch if max_messages is None else min(batch, max_messages - result.claimed)
        token, messages = claim(size)
        if not messages:
            break
        result.claimed += len(messages)
        result.batches += 1
        now = timezone.now()
        inapp = [m for m in messages if m.channel == Channel.INAPP]
        remote = [m for m in messages if m.channel != Channel.INAPP]
        outcomes: dict[int, Outcome] = {}
        futures = [(m.pk, executor.submit(send_http, m, gateway)) for m in remote]
        if inapp:
            with transaction.atomic():
                outcomes.update(deliver_inapp(inapp, now))
                # The bell notices and the "sent" mark commit together.
                record(token, inapp, outcomes, now, result)
        for pk, future in futures:
            try:
                outcomes[pk] = future.result()
            except Exception as exc:  # noqa: BLE001 - a bug in one send must not lose the batch
                log.exception("sending outgoing message %s failed", pk)
                outcomes[pk] = Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
        if remote:
            record(token, remote, outcomes, timezone.now(), result)
    return result


def follow(*, interval: float = 2.0, stop: threading.Event | None = None, out=None) -> None:
    """Drain again and again (``zoneops notify --follow``), resting ``interval`` seconds when
    nothing is due, until ``stop`` is set."""
    from django.db import close_old_connections

    stop = stop or threading.Event()
    while not stop.is_set():
        if not connection.in_atomic_block:
            close_old_connections()  # a dropped database connection is reopened
        try:
            result = drain()
        except Exception:  # noqa: BLE001 - a database hiccup: log it and try again later
            log.exception("draining the outbox failed")
            result = DrainResult()
        if result.claimed and out is not None:
            out.write(str(result) + "\n")
        if not result.claimed:
            stop.wait(interval)
