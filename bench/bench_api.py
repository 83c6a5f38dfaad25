"""Load test of the REST API and the dashboard: gunicorn as deployed, 50 concurrent users.

A database of its own on the bench's server (PostgreSQL: a new database beside the bench's;
SQLite: a file in the data directory) gets a province-scale dataset from ``zoneops generate``
(100 development zones in 10 cities with 200 parks, 50,000 enterprises with 12 months of figures,
and whatever else the apps generate: projects, leads, appeals, hazards, tasks), plus 50 accounts:
10 administrators who see the whole province and 40 staff of one development zone each, each
with an API token and a logged-in session; on PostgreSQL the database is then vacuumed and
analysed, as autovacuum does shortly after a bulk load. gunicorn starts from
deploy/gunicorn.conf.py on a random loopback port with 2 × cores + 1 workers; locust (as a
library, headless, in a child process: it monkey-patches with gevent) drives 50 users, each
waiting 0.5–1.5 s between requests like a person or a polling system, one phase per kind of
request (≤ 60 s each, the first seconds not counted), then a short phase without waiting to
find the capacity. Each account requests the lists its role may read (a staff account's 403
on an administrators' list is no error).

    api.list_median / api.list_p99      every list endpoint of /api/schema/, page of 50
    api.list_rps                        requests per second served in that phase
    api.detail_median / _p99            detail endpoints, ids each account can see
    api.dashboard_median / _p99         /dashboard/ with the account's session
    api.write_median / _p99             POST /api/visits/ (a liaison's visit;
                                        /api/departments/ while there are no enterprises)
    api.writes_acknowledged / _lost     201 answers, and how many of them are not in the
                                        database afterwards (must be 0)
    api.list_single_user_median / _p99  the same lists for one user alone, no wait: server time
    api.list_capacity / _saturated_*    list requests per second with no wait, and their times
    api.errors                          answers other than 2xx/3xx and failed requests (must be 0)
    api.peak_memory_gunicorn            the largest peak resident size of gunicorn's processes

Only loopback addresses are used. ZONEOPS_BENCH_API_SCALE scales the dataset (0.1 for a quick
run), ZONEOPS_BENCH_API_SECONDS the length of each phase (default 45, at most 60).
"""

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from timing import scaled

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
ADMINS = 10
SEED = 1
SCALE = float(os.environ.get("ZONEOPS_BENCH_API_SCALE", "1"))
PHASE_SECONDS = min(60.0, float(os.environ.get("ZONEOPS_BENCH_API_SECONDS", "45")))
WARMUP_SECONDS = scaled(5.0, 1.0)
WAIT = (0.5, 1.5)  # seconds a user waits between two requests
MARKER = "bench-api"
SKIPPED = ("/api/schema/", "/api/docs/")
# Province scale (吉林省-like): zones, enterprises, months of figures and each app's records.
DATASET = {
    "zones": 100,
    "users_per_zone": 3,
    "enterprises": 50_000,
    "months": 12,
    "projects": 3_000,
    "leads": 5_000,
    "appeals": 20_000,
    "hazards": 20_000,
    "tasks_per_zone": 20,
}
UNSCALED = {"users_per_zone", "months", "tasks_per_zone"}


# Run by bench/run ----------------------------------------------------------------------------


def run(ctx):
    data_dir = Path(ctx.data_dir) / "api"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(api_database(ctx, data_dir), data_dir)
    started = time.perf_counter()
    setup = child(env, "setup", timeout=3600)
    note(f"dataset: {setup['summary']} in {time.perf_counter() - started:.0f} s")
    results = load_test(env, setup, data_dir, PHASES)

    listed, write, capacity = results["list"], results["write"], results["capacity"]
    yield "api.list_median", listed["median"], "ms"
    yield "api.list_p99", listed["p99"], "ms"
    yield "api.list_rps", listed["rps"], "req/s"
    yield "api.detail_median", results["detail"]["median"], "ms"
    yield "api.detail_p99", results["detail"]["p99"], "ms"
    yield "api.dashboard_median", results["dashboard"]["median"], "ms"
    yield "api.dashboard_p99", results["dashboard"]["p99"], "ms"
    yield "api.write_median", write["median"], "ms"
    yield "api.write_p99", write["p99"], "ms"
    yield "api.writes_acknowledged", write["created"], "count"
    yield "api.writes_lost", write["created"] - results["stored"], "count"
    yield "api.list_single_user_median", results["single"]["median"], "ms"
    yield "api.list_single_user_p99", results["single"]["p99"], "ms"
    yield "api.list_capacity", capacity["rps"], "req/s"
    yield "api.list_saturated_median", capacity["median"], "ms"
    yield "api.list_saturated_p99", capacity["p99"], "ms"
    yield "api.errors", errors(results), "count"
    yield "api.peak_memory_gunicorn", results["peak_memory_mb"], "MB"


PHASES = ("single", "list", "detail", "dashboard", "write", "capacity")


def child_env(database_url: str, data_dir: Path) -> dict:
    """The environment of the children and of gunicorn: the database under test."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ZONEOPS_DATA_DIR": str(data_dir),
        "ZONEOPS_HTTPS": "0",  # plain HTTP on loopback: nginx is not part of this measurement
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "zoneops.settings",
    }


def errors(results: dict) -> int:
    return sum(r["errors"] for r in results.values() if isinstance(r, dict) and "errors" in r)


def load_test(env: dict, setup: dict, data_dir: Path, phases=PHASES) -> dict:
    """The load phases against a database that already holds the data and the accounts
    (``setup``: what ``make_accounts`` returned): gunicorn as deployed, locust's 50 users.

    Returns each phase's statistics by name, and under "stored" the writes found afterwards
    (when there was a write phase). bench_province runs it on the province it generated.
    """
    port = free_port()
    workers = 2 * (os.cpu_count() or 1) + 1
    server_env = {**env, "ZONEOPS_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    log = open(data_dir / "gunicorn.log", "wb")  # closed in the finally below
    gunicorn = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "--config", ROOT / "deploy/gunicorn.conf.py"],
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict = {}
    try:
        wait_for(base + "/healthz", gunicorn, data_dir / "gunicorn.log")
        note(f"gunicorn: {workers} workers on {base} ({env['DATABASE_URL'].split('@')[-1]})")
        accounts, endpoints = plan(base, setup)
        note(
            f"{len(endpoints['lists'])} list endpoints, {len(endpoints['details'])} detail "
            f"endpoints, write: {setup['write']['path']}"
        )
        for phase in phases:
            load_average = os.getloadavg()[0]
            results[phase] = load(base, phase, accounts, data_dir)
            stats = results[phase]
            note(
                f"{phase} (load average {load_average:.1f} before): {stats['count']} requests, "
                f"{stats['rps']:.0f}/s, median {stats['median']:.1f} ms, "
                f"p95 {stats['p95']:.1f} ms, p99 {stats['p99']:.1f} ms, {stats['errors']} errors"
                + "".join(f"\n#   {line}" for line in stats["slowest"])
            )
        if "write" in phases:
            results["stored"] = child(env, "count", timeout=300)["writes"]
        results["peak_memory_mb"] = peak_memory_mb(gunicorn.pid)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait()
        log.close()
    return results


def peak_memory_mb(pid: int) -> float:
    """The largest peak resident size (VmHWM) of a process and its children (gunicorn's master
    and its workers) in MB; 0 where /proc cannot tell (not Linux)."""
    pids = [pid]
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(status.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(status.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    peak = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))  # kB
        except (OSError, ValueError):
            continue
    return peak / 1024


def note(text: str) -> None:
    print(f"# api: {text}", file=sys.stderr, flush=True)


def api_database(ctx, data_dir: Path) -> str:
    """A fresh database of this benchmark's own, on the bench's server."""
    if ctx.db != "postgresql":
        return f"sqlite:///{data_dir / 'bench_api.sqlite3'}"
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    name = "zoneops_bench_api"
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname=params["NAME"],
        autocommit=True,
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = os.environ["DATABASE_URL"]
    return url.rsplit("/", 1)[0] + "/" + name


def child(env: dict, mode: str, *args: str, timeout: float) -> dict:
    """Run this file in ``mode`` in a fresh interpreter; it prints one JSON line last."""
    result = subprocess.run(
        [sys.executable, __file__, mode, *args],
        env=env,
        stdout=subprocess.PIPE,
        timeout=timeout,
        check=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer in {timeout} s")


def get_json(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def plan(base: str, setup: dict) -> tuple[list[dict], dict]:
    """Every list endpoint of the live schema; detail URLs of records each account sees.

    Each account gets the lists its role may read: a staff account's 403 on an
    administrators' list (the notification outbox) is the right answer, not an error.
    """
    admin_token = setup["accounts"][0]["token"]
    staff_token = setup["accounts"][ADMINS]["token"]
    schema = get_json(base + "/api/schema/?format=json", admin_token)
    lists: dict[str, list[str]] = {admin_token: [], staff_token: []}
    for path, operations in sorted(schema["paths"].items()):
        if "get" not in operations or "{" in path or path.startswith(SKIPPED):
            continue
        for token in lists:
            try:  # a "list" that needs query parameters (a report, say) is not a plain list
                get_json(base + path, token)
            except urllib.error.HTTPError as error:
                who = "administrators" if token == admin_token else "staff"
                note(f"left out for {who}: {path} answers {error.code} without parameters")
                continue
            lists[token].append(path)
    details = sorted(
        {url.rsplit("/", 2)[0] + "/{id}/" for a in setup["accounts"] for url in a["details"]}
    )
    documented = set(schema["paths"])
    accounts = setup["accounts"]
    for index, account in enumerate(accounts):
        account["lists"] = lists[admin_token if index < ADMINS else staff_token]
        account["details"] = [
            url for url in account["details"] if url.rsplit("/", 2)[0] + "/{id}/" in documented
        ] or lists
        account["write"] = setup["write"]
    return accounts, {
        "lists": sorted(set(lists[admin_token]) | set(lists[staff_token])),
        "details": details,
    }


def load(base: str, phase: str, accounts: list[dict], data_dir: Path) -> dict:
    config = data_dir / f"phase-{phase}.json"
    seconds = PHASE_SECONDS if phase not in ("capacity", "single") else min(PHASE_SECONDS, 25.0)
    config.write_text(
        json.dumps(
            {
                "base": base,
                "phase": phase,
                "seconds": seconds,
                "warmup": WARMUP_SECONDS,
                "users": 1 if phase == "single" else USERS,
                "wait": [0, 0] if phase in ("capacity", "single") else list(WAIT),
                "accounts": accounts,
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return child(env, "load", str(config), timeout=seconds + 120)


# Child: dataset --------------------------------------------------------------------------------


def setup_dataset() -> dict:
    import io

    import django

    django.setup()
    from django.core.management import call_command

    from zoneops.core.management.commands.generate import Command as Generate

    call_command("migrate", verbosity=0)
    known = {action.dest for action in Generate().create_parser("zoneops", "generate")._actions}
    options = {
        key: value if key in UNSCALED else max(1, int(value * SCALE))
        for key, value in DATASET.items()
        if key in known
    }
    out = io.StringIO()
    call_command("generate", seed=SEED, stdout=out, **options)
    print(out.getvalue(), file=sys.stderr)
    setup = make_accounts()
    summary = ", ".join(f"{k}={v}" for k, v in options.items())
    return {"summary": summary, **setup}


def make_accounts(vacuum: bool = True) -> dict:
    """The 50 accounts of the load on a generated database (Django set up): 10 administrators
    who see the whole province and 40 staff of one development zone each, with a token, a
    logged-in session, what each may write and the records each may open."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from zoneops.core.models import Role, User, Zone

    zones = list(Zone.objects.filter(code__regex=r"^S-Z[0-9]+$").order_by("code"))
    users = [
        User.objects.create_user(username=f"{MARKER}-admin{i}", role=Role.ADMIN)
        for i in range(ADMINS)
    ]
    for i in range(USERS - ADMINS):
        zone = zones[i % len(zones)]
        user = User.objects.create_user(username=f"{MARKER}-staff{i}", role=Role.STAFF)
        user.zones.set([zone])
        users.append(user)
    write = write_target()
    accounts = []
    for user in users:
        session = SessionStore()
        session.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
                "last_activity": timezone.now().timestamp() + 3600,  # no idle logout mid-run
            }
        )
        session.create()
        accounts.append(
            {
                "token": Token.objects.create(user=user).key,
                "session": session.session_key,
                "targets": write["targets"](user),
                "details": detail_urls(user),
            }
        )
    if vacuum and connection.vendor == "postgresql":
        # What autovacuum does within a minute or so of a bulk load (as bench_core and
        # bench_reports do): statistics for the planner and the visibility map that lets
        # index-only scans skip the table. A server in use has both.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"accounts": accounts, "write": {"path": write["path"]}}


def detail_urls(user, per_endpoint: int = 10) -> list[str]:
    """/api/<prefix>/<id>/ of the first records the user may see, for every registered viewset."""
    from zoneops.api.urls import router

    urls = []
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "base_queryset", None)
        if queryset is None or not hasattr(viewset, "retrieve"):
            continue
        pks = queryset.all().restrict(user, "view").order_by("-pk").values_list("pk", flat=True)
        urls += [f"/api/{prefix}/{pk}/" for pk in pks[:per_endpoint]]
    return urls


def write_target() -> dict:
    """What the write phase creates: a visit where there are enterprises, else a department."""
    from django.apps import apps

    try:
        enterprise_model = apps.get_model("enterprises", "Enterprise")
        apps.get_model("enterprises", "Visit")
    except LookupError:
        enterprise_model = None
    if enterprise_model is not None and enterprise_model.objects.exists():

        def enterprises(user) -> list[dict]:
            ids = enterprise_model.objects.restrict(user, "view").order_by("pk")
            ids = list(ids.values_list("pk", flat=True)[:200])
            return [{"enterprise": pk, "findings": MARKER} for pk in ids]

        return {"path": "/api/visits/", "targets": enterprises}

    def departments(user) -> list[dict]:
        zones = user.visible_zones().order_by("pk").values_list("code", flat=True)[:20]
        return [{"zone": code, "name": MARKER} for code in zones]  # a zone is its code

    return {"path": "/api/departments/", "targets": departments}


def count_writes() -> dict:
    import django

    django.setup()
    from django.apps import apps

    department = apps.get_model("core", "Department")
    writes = department.objects.filter(name__startswith=f"{MARKER} ").count()
    if apps.is_installed("zoneops.enterprises"):
        visit = apps.get_model("enterprises", "Visit")
        writes += visit.objects.filter(findings__startswith=f"{MARKER} ").count()
    return {"writes": writes}


# Child: load (locust) ---------------------------------------------------------------------------


def run_load(config_path: str) -> dict:
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    phase, accounts = config["phase"], config["accounts"]
    started = time.monotonic()
    samples: dict[str, list[float]] = {}
    counts = {"count": 0, "errors": 0, "created": 0}
    failures: dict[str, int] = {}
    next_account = iter(range(10**9))

    class Person(FastHttpUser):
        host = config["base"]
        wait_time = between(*config["wait"]) if config["wait"][1] else constant(0)

        def on_start(self):
            self.account = accounts[next(next_account) % len(accounts)]
            self.rng = random.Random(self.account["token"])
            self.auth = {"Authorization": f"Token {self.account['token']}"}

        def call(self, method: str, url: str, name: str, expect: int = 200, **kwargs):
            with self.client.request(
                method, url, name=name, catch_response=True, allow_redirects=False, **kwargs
            ) as response:
                ok = response.status_code == expect
                if ok:
                    response.success()
                else:
                    response.failure(f"{response.status_code}")
            if ok and method == "POST":
                counts["created"] += 1  # warm-up writes are stored too: all count for "lost"
            if time.monotonic() - started >= config["warmup"]:
                counts["count"] += 1
                if not ok:
                    counts["errors"] += 1
                    key = f"{method} {name}: {response.status_code}"
                    failures[key] = failures.get(key, 0) + 1
                if ok:
                    samples.setdefault(name, []).append(response.request_meta["response_time"])

        @task
        def request(self):
            account = self.account
            if phase in ("list", "capacity", "single"):
                path = self.rng.choice(account["lists"])
                self.call("GET", path, path, headers=self.auth)
            elif phase == "detail":
                url = self.rng.choice(account["details"])
                name = url.rstrip("/").rsplit("/", 1)[0] + "/{id}/"
                self.call("GET", url, name, headers=self.auth)
            elif phase == "dashboard":
                cookie = {"Cookie": f"sessionid={account['session']}"}
                self.call("GET", "/dashboard/", "/dashboard/", headers=cookie)
            elif phase == "write":
                body = dict(self.rng.choice(account["targets"]))
                key = "findings" if "findings" in body else "name"
                body[key] = f"{MARKER} {uuid.uuid4().hex}"
                if key == "name":  # a department's code is required and unique
                    body["code"] = f"{MARKER}-{uuid.uuid4().hex[:20]}"
                path = account["write"]["path"]
                self.call("POST", path, path, expect=201, json=body, headers=self.auth)

    # Stopping lets each user finish the request it is in: a write the server stored is counted.
    environment = Environment(user_classes=[Person], stop_timeout=60)
    runner = environment.create_local_runner()
    runner.start(config["users"], spawn_rate=config["users"])

    def finish():
        runner.stop()  # waits for the requests in flight (stop_timeout)
        runner.quit()

    gevent.spawn_later(config["warmup"] + config["seconds"], finish)
    runner.greenlet.join()
    measured = config["seconds"]

    every = sorted(t for times in samples.values() for t in times)
    slowest = sorted(
        ((statistics.median(times), name, len(times)) for name, times in samples.items()),
        reverse=True,
    )[:3]
    # Which endpoints make the p99: the requests at or above it, by endpoint.
    p99 = percentile(every, 0.99)
    tail = sorted(
        ((sum(t >= p99 for t in times), name) for name, times in samples.items()), reverse=True
    )
    tail_line = ", ".join(f"{name} × {n}" for n, name in tail if n)
    return {
        "count": counts["count"],
        "errors": counts["errors"],
        "created": counts["created"],
        "rps": len(every) / measured,
        "median": statistics.median(every) if every else 0.0,
        "p95": percentile(every, 0.95),
        "p99": p99,
        "slowest": [f"{name}: median {ms:.1f} ms over {n}" for ms, name, n in slowest]
        + ([f"at or above the p99: {tail_line}"] if tail_line else [])
        + [f"error {key} × {n}" for key, n in sorted(failures.items())],
    }


def percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "setup":
        outcome = setup_dataset()
    elif mode == "count":
        outcome = count_writes()
    elif mode == "load":
        outcome = run_load(sys.argv[2])
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(outcome), flush=True)
