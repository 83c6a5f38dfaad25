"""Appeals and hazards figures: the daily tick over 500,000 open cases, and the public page.

- ``appeals.tick_500k``: ``core.loop.services.tick`` (what ``zoneops tick`` runs) over 400,000 open
  appeals and 100,000 open hazards whose levels are those of the previous working day's tick,
  as on any working day of a running system: it recomputes every case and raises the ones
  that crossed a threshold (with their events and notifications).
- ``appeals.public_submit``: submissions per second through the public page (no login) to
  ``gunicorn`` on loopback, 4 workers. Each form is fetched first (CSRF token, signed
  challenge), answered, and posted after the challenge's minimum wait, from its own client
  address (``X-Forwarded-For`` from the trusted local proxy); one form in twenty is posted
  twice, as an impatient user does.
- ``appeals.public_submit_lost``: appeals lost or duplicated in that run, counted in the
  database afterwards (must be 0).
"""

import datetime as dt
import http.client
import io
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from timing import scaled, seconds

SEED = 1
APPEALS = scaled(400_000, 2_000)
HAZARDS = scaled(100_000, 500)
LAST = dt.date(2026, 11, 20)  # the data's last day (a Friday)
TODAY = dt.date(2026, 11, 23)  # the next working day: the measured tick
SUBMISSIONS = scaled(1500, 30)
THREADS = 12
# BENCH_APPEALS_PARTS=submit runs only the public page part (e.g. while tuning it).
PARTS = os.environ.get("BENCH_APPEALS_PARTS", "tick,submit").split(",")


def run(ctx):
    from django.core.management import call_command

    from zoneops.core.models import Zone

    if not Zone.objects.filter(code="S").exists():  # another bench may have generated it
        call_command("generate", zones=scaled(10, 2), seed=SEED, stdout=io.StringIO())
    if "tick" in PARTS:
        yield from tick_500k(Zone)
    if "submit" in PARTS:
        rate, lost = public_submit(ctx)
        yield ("appeals.public_submit", rate, "req/s")
        yield ("appeals.public_submit_lost", lost, "count")


def tick_500k(zone_model):
    from django.db import connection, transaction

    from zoneops.appeals.generate import create_appeals
    from zoneops.core.loop import services
    from zoneops.hazards.generate import create_hazards

    zones = list(zone_model.objects.filter(code__regex=r"^S-Z[0-9]{4}$").order_by("code"))
    rng = random.Random(SEED)
    source = f"synthetic: bench_appeals --seed {SEED}"
    started = time.perf_counter()
    with transaction.atomic():
        create_appeals(zones, APPEALS, rng=rng, source=source, last=LAST, closed_share=0)
        create_hazards(zones, HAZARDS, rng=rng, source=source, last=LAST, closed_share=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_loopcase")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"# appeals: {APPEALS + HAZARDS} open cases in {time.perf_counter() - started:.0f} s")

    result = {}
    elapsed = seconds(lambda: result.setdefault("tick", services.tick(on=TODAY)))
    tick = result["tick"]
    print(f"# tick: checked {tick.checked}, changed {tick.changed}, escalated {tick.escalated}")
    yield ("appeals.tick_500k", elapsed, "s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _registered_enterprises(count: int) -> list[str]:
    from zoneops.core.models import Zone
    from zoneops.enterprises.models import Enterprise
    from zoneops.enterprises.uscc import check_char

    zone = Zone.objects.filter(code__regex=r"^S-Z[0-9]{4}$").order_by("code").first()
    codes = []
    for serial in range(count):
        body = f"91990000MB{serial:07d}"
        codes.append(body + check_char(body))
    existing = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
    Enterprise.objects.bulk_create(
        [
            Enterprise(uscc=code, name=f"基准测试企业{i:03d}", zone=zone, source="synthetic: bench")
            for i, code in enumerate(codes)
            if code not in existing
        ]
    )
    return codes


class Form:
    def __init__(self, html: str, cookie: str, uscc: str, index: int):
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        self.token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        a, b = re.search(r"(\d+) \+ (\d+) =", html).groups()
        self.answer = int(a) + int(b)
        self.cookie = cookie
        self.uscc = uscc
        self.index = index

    def body(self) -> str:
        return urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.csrf,
                "token": self.token,
                "answer": self.answer,
                "uscc": self.uscc,
                "contact_name": "测试联系人",
                "contact_phone": f"1390431{self.index:04d}",
                "category": "utilities",
                "title": f"基准测试诉求{self.index:05d}",
                "description": "压力测试提交的诉求内容。",
                "website": "",
            }
        )


def _get_form(port: int, uscc: str, index: int) -> Form:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/public/appeals/", headers={"X-Forwarded-For": _address(index)})
    response = conn.getresponse()
    html = response.read().decode()
    cookie = "; ".join(
        value.split(";")[0] for key, value in response.getheaders() if key.lower() == "set-cookie"
    )
    conn.close()
    assert response.status == 200, response.status
    return Form(html, cookie, uscc, index)


def _address(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"


def _post(port: int, form: Form) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/public/appeals/",
        body=form.body(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": form.cookie,
            "X-Forwarded-For": _address(form.index),
            "Referer": f"http://127.0.0.1:{port}/public/appeals/",
        },
    )
    response = conn.getresponse()
    response.read()
    location = response.getheader("Location") or ""
    conn.close()
    return response.status, location


def _workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def public_submit(ctx) -> tuple[float, int]:
    from zoneops.appeals.models import Appeal, Submission

    codes = _registered_enterprises(50)
    port = _free_port()
    env = {**os.environ, "ZONEOPS_HTTPS": "0", "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "zoneops.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ctx.data_dir),
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        before = Submission.objects.count(), Appeal.objects.count()
        with ThreadPoolExecutor(THREADS) as pool:
            forms = list(
                pool.map(lambda i: _get_form(port, codes[i % len(codes)], i), range(SUBMISSIONS))
            )
        time.sleep(2.2)  # the challenge's minimum time between showing and sending a form
        posts = forms + forms[::20]  # every twentieth form is sent twice
        random.Random(SEED).shuffle(posts)
        cpu_before = _workers_cpu(server.pid)
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda form: _post(port, form), posts))
        elapsed = time.perf_counter() - started
        cpu = _workers_cpu(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    failed = [status for status, _location in results if status != 302]
    if failed:
        print(f"# public_submit: {len(failed)} responses other than 302: {sorted(set(failed))}")
    tracking = {location.rstrip("/").rsplit("/", 1)[-1] for _s, location in results if location}
    created = Submission.objects.count() - before[0], Appeal.objects.count() - before[1]
    found = Submission.objects.filter(tracking_number__in=tracking).count()
    lost = (SUBMISSIONS - found) + abs(created[0] - SUBMISSIONS) + abs(created[1] - SUBMISSIONS)
    print(
        f"# public_submit: {len(posts)} posts ({len(posts) - SUBMISSIONS} repeats) in "
        f"{elapsed:.1f} s; {created[0]} submissions, {created[1]} appeals, "
        f"{len(tracking)} tracking numbers; server CPU {1000 * cpu / len(posts):.1f} ms per "
        f"post, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return len(posts) / elapsed, lost
