"""Notification figures: draining 100,000 queued robot messages to a flaky webhook.

Queues 100,000 WeCom robot messages (one route, ``bulk_create`` in one transaction as tick
would) and drains them with ``zoneops.notifications.delivery.drain`` from two workers at once
(threads, each with its own database connection; claims keep them apart) to a local webhook
server in a separate process (threads, HTTP/1.1 keep-alive, TCP_NODELAY). The server fails 30 %
of requests at random — half with HTTP 500, half with HTTP 200 and ``errcode`` 45009 — and
counts the successful deliveries per message id. Retries back off from 50 ms (capped at 1 s) so
that the run measures sending, not waiting; up to 30 attempts, so practically nothing dies.

- ``notify.queue_100k``: queueing the 100,000 messages (msg/s)
- ``notify.drain_100k_flaky``: messages delivered per second of draining (msg/s)
- ``notify.requests``: HTTP requests the server answered (failures included)
- ``notify.lost``: messages the server never accepted (must be 0)
- ``notify.duplicated``: messages the server accepted more than once (must be 0)
"""

import json
import os
import subprocess
import sys
import threading
import time

MESSAGES = int(os.environ.get("BENCH_NOTIFY_MESSAGES", "100000"))  # fewer: a quick try
FAIL_RATE = 0.3
SEED = 1
# Workers draining at the same time, each with its own connection: claims keep them apart.
DRAINERS = 2


def serve(fail_rate: float, seed: int) -> None:
    """The flaky webhook: prints its port, answers POSTs, GET /stats returns the counts."""
    import random
    import threading
    from collections import Counter
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    lock = threading.Lock()
    rng = random.Random(seed)
    accepted: Counter = Counter()
    answered = [0]
    fail = json.dumps({"errcode": 45009, "errmsg": "api freq out of limit"}).encode()
    ok = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
    error = b'{"error": "internal"}'

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without TCP_NODELAY each answer would wait
        # for the client's delayed ACK (40 ms).
        disable_nagle_algorithm = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content = json.loads(body)["text"]["content"]
            message_id = int(content.rsplit("#", 1)[1])
            with lock:
                answered[0] += 1
                roll = rng.random()
                if roll >= fail_rate:
                    accepted[message_id] += 1
            if roll < fail_rate / 2:
                self.reply(500, error)
            elif roll < fail_rate:
                self.reply(200, fail)
            else:
                self.reply(200, ok)

        def do_GET(self):
            with lock:
                stats = {
                    "answered": answered[0],
                    "accepted": len(accepted),
                    "duplicated": sum(1 for c in accepted.values() if c > 1),
                    "ids": sorted(accepted),
                }
            self.reply(200, json.dumps(stats).encode())

        def reply(self, status, data):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def drain_until_done(errors: list) -> None:
    """One worker (its own database connection): drain until nothing is pending."""
    from django.db import connection

    from zoneops.notifications import delivery
    from zoneops.notifications.models import OutboxMessage

    try:
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        while True:
            if not delivery.drain().claimed:
                if not pending.exists():
                    return
                time.sleep(0.02)  # the last retries wait for their backoff
    except Exception as exc:  # noqa: BLE001 - reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


def run(ctx):
    import urllib.request

    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone

    from zoneops.core.models import Zone
    from zoneops.notifications.models import Channel, Event, OutboxMessage, Route

    server = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", str(FAIL_RATE), str(SEED)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        zone = Zone.objects.filter(parent__isnull=True).first() or Zone.objects.create(
            code="BENCH-N", name="通知基准园区", kind=Zone.Kind.HI_TECH_ZONE
        )
        route = Route(
            zone=zone,
            name="基准企业微信群",
            channel=Channel.WECOM,
            webhook_url=f"{base}/cgi-bin/webhook/send?key=bench-key",
        )
        route.set_events([Event.ASSIGNED])
        route.save()

        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(
                (
                    OutboxMessage(
                        route=route,
                        zone=zone,
                        channel=Channel.WECOM,
                        event=Event.ASSIGNED,
                        text=f"【通知基准园区】诉求已交办：厂区道路积水请协调 #{i}",
                        idempotency_key=f"bench:{i}",
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for i in range(MESSAGES)
                ),
                batch_size=2000,
            )
        yield "notify.queue_100k", MESSAGES / (time.perf_counter() - started), "msg/s"
        ids = dict(OutboxMessage.objects.filter(route=route).values_list("pk", "idempotency_key"))
        queued = {int(key.split(":")[1]) for key in ids.values()}

        with override_settings(
            ZONEOPS_NOTIFY_BACKOFF_SECONDS=0.05,
            ZONEOPS_NOTIFY_BACKOFF_MAX_SECONDS=1,
            ZONEOPS_NOTIFY_MAX_ATTEMPTS=30,
            ZONEOPS_NOTIFY_WORKERS=16,
            ZONEOPS_NOTIFY_BATCH=1000,
        ):
            started = time.perf_counter()
            errors = []
            drainers = [
                threading.Thread(target=drain_until_done, args=(errors,)) for _ in range(DRAINERS)
            ]
            for thread in drainers:
                thread.start()
            for thread in drainers:
                thread.join()
            elapsed = time.perf_counter() - started
            if errors:
                raise errors[0]
        sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
        yield "notify.drain_100k_flaky", sent / elapsed, "msg/s"
        with urllib.request.urlopen(f"{base}/stats", timeout=30) as answer:
            stats = json.load(answer)
        yield "notify.requests", stats["answered"], "requests"
        yield "notify.lost", len(queued - set(stats["ids"])), "messages"
        yield "notify.duplicated", stats["duplicated"], "messages"
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(float(sys.argv[2]), int(sys.argv[3]))
