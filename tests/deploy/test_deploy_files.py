"""The production files in deploy/ work: what can be checked without root services.

- the env example names every environment variable settings.py reads (and nothing else);
- gunicorn.conf.py imports and keeps the app on loopback;
- the systemd units pass ``systemd-analyze verify`` (with the venv path pointed at this one);
- nginx accepts the site config (``nginx -t``) and, run for real from a temporary prefix with a
  self-signed certificate in front of gunicorn started from gunicorn.conf.py, terminates TLS,
  hands X-Forwarded-Proto and an unforgeable X-Real-IP to the app, redirects plain HTTP, serves
  static files itself and never serves uploads.

Debian's nginx comes from ``tests/deploy/install-nginx`` (run by ``make test``); without it the
nginx tests skip and say so.
"""

import ast
import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "src" / "zoneops" / "settings.py"
VENV_BIN = Path(sys.executable).parent
PRODUCTION_VENV = "/opt/zoneops/venv"

# The name of the environment variable that a call reads, for every way settings.py reads one.
_READERS = {"get", "getenv", "env_bool", "env_list", "env_int", "env_str"}


def environment_names(path: Path) -> set[str]:
    """Environment variables a Python file reads: os.environ.get/[]/in, os.getenv, env_*(...)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "config" and "dj_database_url" in ast.unparse(func):
                names.add("DATABASE_URL")  # dj_database_url.config() reads DATABASE_URL
            is_environ_get = name == "get" and ast.unparse(func).endswith("environ.get")
            if (is_environ_get or (name in _READERS and name != "get")) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
        elif (
            isinstance(node, ast.Compare)
            and any(ast.unparse(c).endswith("environ") for c in node.comparators)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            names.add(node.left.value)
    return names


def example_names() -> set[str]:
    """Variables the env example sets or shows commented out with their default."""
    text = (DEPLOY / "zoneops.env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_names_every_setting():
    read = environment_names(SETTINGS)
    # The parser itself finds the settings everyone knows are there.
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "ZONEOPS_HTTPS", "DEBUG"} <= read
    missing = read - example_names()
    assert not missing, f"deploy/zoneops.env.example does not name: {sorted(missing)}"


def test_env_example_names_nothing_unread():
    read = environment_names(SETTINGS) | environment_names(DEPLOY / "gunicorn.conf.py")
    unknown = example_names() - read
    assert not unknown, f"the env example names variables nothing reads: {sorted(unknown)}"


def load_gunicorn_conf(env: dict[str, str] | None = None):
    saved = dict(os.environ)
    try:
        for key in ("ZONEOPS_BIND", "WEB_CONCURRENCY"):
            os.environ.pop(key, None)
        os.environ.update(env or {})
        spec = importlib.util.spec_from_file_location("gunicorn_conf", DEPLOY / "gunicorn.conf.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_conf_imports_and_binds_loopback():
    conf = load_gunicorn_conf()
    assert conf.wsgi_app == "zoneops.wsgi:application"
    assert conf.bind == ["127.0.0.1:8000"]  # nginx's upstream; never a public address
    assert conf.workers == 2 * os.cpu_count() + 1
    assert conf.timeout >= 60 and conf.accesslog == "-"
    assert "{x-real-ip}i" in conf.access_log_format
    overridden = load_gunicorn_conf({"ZONEOPS_BIND": "127.0.0.1:9001", "WEB_CONCURRENCY": "3"})
    assert overridden.bind == ["127.0.0.1:9001"] and overridden.workers == 3


def test_gunicorn_checks_the_config(tmp_path):
    """gunicorn itself loads the config and the application from it."""
    env = {**app_env(tmp_path / "data"), "WEB_CONCURRENCY": "1"}
    result = subprocess.run(
        [VENV_BIN / "gunicorn", "--config", DEPLOY / "gunicorn.conf.py", "--check-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


UNITS = [
    "zoneops-web.service",
    "zoneops-tick.service",
    "zoneops-backup.service",
    "zoneops-notify.service",
    "zoneops-jobs.service",
]
TIMERS = ["zoneops-tick.timer", "zoneops-backup.timer"]


def test_systemd_units_name_the_commands():
    systemd = DEPLOY / "systemd"
    assert sorted(p.name for p in systemd.iterdir()) == sorted(UNITS + TIMERS)
    web = (systemd / "zoneops-web.service").read_text()
    assert "ExecStart=/opt/zoneops/venv/bin/gunicorn --config /etc/zoneops/gunicorn.conf.py" in web
    assert "EnvironmentFile=/etc/zoneops/zoneops.env" in web
    assert "ExecStartPre=/opt/zoneops/venv/bin/zoneops check\n" in web  # audit retention ≥ 180
    assert (
        "ExecStart=/opt/zoneops/venv/bin/zoneops tick\n"
        in (systemd / "zoneops-tick.service").read_text()
    )
    assert (
        "ExecStart=/opt/zoneops/venv/bin/zoneops notify --follow\n"
        in (systemd / "zoneops-notify.service").read_text()
    )
    assert (
        "ExecStart=/opt/zoneops/venv/bin/zoneops job_worker\n"
        in (systemd / "zoneops-jobs.service").read_text()
    )
    assert (
        "ExecStart=/opt/zoneops/venv/bin/zoneops backup\n"
        in (systemd / "zoneops-backup.service").read_text()
    )
    for timer in TIMERS:
        text = (systemd / timer).read_text()
        assert f"Unit={timer.replace('.timer', '.service')}" in text
        assert "OnCalendar=" in text and "Persistent=true" in text
    for unit in UNITS:
        assert "User=zoneops" in (systemd / unit).read_text()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path):
    """systemd-analyze verify, with the production venv path pointed at this venv."""
    for name in UNITS + TIMERS:
        text = (DEPLOY / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace(PRODUCTION_VENV, str(VENV_BIN.parent)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in UNITS + TIMERS]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stdout + result.stderr


# nginx ------------------------------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx not installed: run tests/deploy/install-nginx (Debian package)"
)
needs_openssl = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")


def free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen, so the kernel
    cannot hand the same ephemeral port out twice (it did in CI: nginx and gunicorn collided)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/zoneops.conf no longer has {old!r}: update this test"
    return text.replace(old, new)


def app_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in data_dir
    env.update(
        ZONEOPS_DATA_DIR=str(data_dir),
        ZONEOPS_HTTPS="1",
        DEBUG="0",
        SECRET_KEY="deploy-test-" + "x" * 50,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DJANGO_SETTINGS_MODULE="zoneops.settings",
    )
    return env


def nginx_prefix(tmp_path: Path, *, https: int, http: int, app: int) -> Path:
    """The site config under a temporary prefix: own certificate, ports, static dir and logs."""
    for name in ("logs", "tmp", "data/static", "data/uploads"):
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost"]
        + ["-keyout", tmp_path / "zoneops.key", "-out", tmp_path / "zoneops.crt"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx" / "zoneops.conf").read_text()
    site = replace(site, "/etc/zoneops/tls/", f"{tmp_path}/")
    site = replace(site, "/var/lib/zoneops/static/", f"{tmp_path}/data/static/")
    site = replace(site, "/var/log/nginx/", f"{tmp_path}/logs/")
    site = replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = replace(site, "listen [::]:443 ssl http2;", "")  # the test host may lack IPv6
    site = replace(site, "listen 80;", f"listen 127.0.0.1:{http};")
    site = replace(site, "listen [::]:80;", "")
    site = replace(site, "server 127.0.0.1:8000 ", f"server 127.0.0.1:{app} ")
    (tmp_path / "zoneops.conf").write_text(site)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/tmp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root nginx's workers would run as nobody, who cannot enter pytest's private tmp dirs.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n{mime}\naccess_log {tmp_path}/logs/access.log;\n{temp}"
        f"include {tmp_path}/zoneops.conf;\n}}\n"
    )
    return tmp_path


def nginx_cmd(prefix: Path, *args: str) -> list[str]:
    conf, errors = prefix / "nginx.conf", prefix / "logs" / "error.log"
    return [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(errors), *args]


@needs_nginx
@needs_openssl
def test_nginx_accepts_the_config(tmp_path):
    https, http, app = free_ports(3)
    prefix = nginx_prefix(tmp_path, https=https, http=http, app=app)
    result = subprocess.run(nginx_cmd(prefix, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing on 127.0.0.1:{port} after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def request(port: int, path: str, *, tls: bool, headers: dict[str, str] | None = None):
    if tls:
        context = ssl.create_default_context(cafile=None)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # our own self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.fixture
def proxied_app(tmp_path):
    """gunicorn from deploy/gunicorn.conf.py (HTTPS mode, SQLite) behind nginx from deploy/."""
    ports = dict(zip(("https", "http", "app"), free_ports(3), strict=True))
    prefix = nginx_prefix(tmp_path, **ports)
    env = {**app_env(prefix / "data"), "ZONEOPS_BIND": f"127.0.0.1:{ports['app']}"}
    env["WEB_CONCURRENCY"] = "1"
    app_log = tmp_path / "logs" / "gunicorn.log"
    nginx_log = tmp_path / "logs" / "nginx.out"
    with open(app_log, "wb") as app_out, open(nginx_log, "wb") as nginx_out:
        app = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py")],
            env=env,
            stdout=app_out,
            stderr=subprocess.STDOUT,
        )
        nginx = subprocess.Popen(nginx_cmd(prefix), stdout=nginx_out, stderr=subprocess.STDOUT)
        try:
            wait_for_port(ports["app"], app, app_log)
            wait_for_port(ports["https"], nginx, prefix / "logs/error.log")
            yield {**ports, "prefix": prefix, "app_log": app_log}
        finally:
            stop(nginx)
            stop(app)


@needs_nginx
@needs_openssl
def test_nginx_in_front_of_gunicorn(proxied_app):
    https, http, app = proxied_app["https"], proxied_app["http"], proxied_app["app"]
    data = proxied_app["prefix"] / "data"

    # Over TLS the app answers (X-Forwarded-Proto: https) and sends HSTS itself, once.
    status, headers, body = request(https, "/healthz", tls=True)
    assert status == 200 and b"ok" in body
    assert headers.get_all("Strict-Transport-Security") == [
        "max-age=31536000; includeSubDomains; preload"
    ]
    assert "Content-Security-Policy" in headers
    assert "nginx/" not in headers.get("Server", "")  # server_tokens off

    # Without the proxy's header the app itself insists on HTTPS: the header is what counts.
    status, headers, _ = request(app, "/healthz", tls=False)
    assert status == 301 and headers["Location"] == "https://localhost/healthz"

    # Plain HTTP to nginx is redirected to HTTPS.
    status, headers, _ = request(http, "/healthz?a=1", tls=False)
    assert status == 301 and headers["Location"] == "https://localhost/healthz?a=1"

    # The client cannot choose the address the app records: nginx overwrites X-Real-IP.
    request(https, "/healthz?spoof", tls=True, headers={"X-Real-IP": "203.0.113.9"})
    deadline = time.monotonic() + 10
    while "GET /healthz?spoof" not in proxied_app["app_log"].read_text():
        assert time.monotonic() < deadline, proxied_app["app_log"].read_text()
        time.sleep(0.1)
    line = next(
        line
        for line in proxied_app["app_log"].read_text().splitlines()
        if "GET /healthz?spoof" in line
    )
    assert line.startswith('127.0.0.1 "GET /healthz?spoof'), line
    assert "203.0.113.9" not in line

    # Static files come from STATIC_ROOT through nginx (written after the app started, so the
    # app's own WhiteNoise does not know them; nginx's expires sets max-age=3600).
    (data / "static" / "deploy-check.css").write_text("body{}")
    status, headers, body = request(https, "/static/deploy-check.css", tls=True)
    assert status == 200 and body == b"body{}"
    assert "max-age=3600" in headers.get("Cache-Control", "")

    # Uploads are never served directly, even when the path is right.
    (data / "uploads" / "secret.txt").write_text("personal data")
    status, _, body = request(https, "/media/secret.txt", tls=True)
    assert status == 404 and b"personal data" not in body
