"""A zoneops of its own for tests that run the worker (and the web server) as processes.

The test database of the suite lives in the test process (SQLite in memory) where no other
process can reach it, and a worker killed with SIGKILL must be a process. So these tests set
up a data directory with its SQLite file (migrated once per session and copied for each
site), and run ``zoneops`` commands in it, as ``make demo`` and systemd do.
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SETUP = """
from zoneops.core.models import Role, User, Zone
zone = Zone.objects.create(code="GX", name="长春高新区", kind=Zone.Kind.HI_TECH_ZONE)
user = User.objects.create_user(username="gx_staff", password="Pw-12345678", role=Role.STAFF)
user.zones.set([zone])
print(user.pk)
"""

START_IMPORT = """
import os
from pathlib import Path
from zoneops.core.models import User
from zoneops.jobs import services
job, created = services.start_import(
    target="zoneops.enterprises.views.EnterpriseImportView",
    name="register.csv",
    content=Path(os.environ["ZONEOPS_SCRIPT_ARG"]).read_bytes(),
    title="导入企业：register.csv",
    acting_user=User.objects.get(username="gx_staff"),
)
print(job.pk, job.key.hex)
"""


class Site:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "ZONEOPS_DATA_DIR": str(data_dir),
            "ZONEOPS_HTTPS": "0",
            "ZONEOPS_REQUIRE_ADMIN_TOTP": "0",
            "DJANGO_SETTINGS_MODULE": "zoneops.settings",
        }
        self.processes: list[subprocess.Popen] = []

    def command(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "zoneops", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, code: str, *argv: str) -> str:
        script = self.data_dir / "script.py"
        script.write_text(code)
        result = subprocess.run(
            [sys.executable, "-m", "zoneops", "shell", "-c", f"exec(open({str(script)!r}).read())"],
            env={**self.env, "ZONEOPS_SCRIPT_ARG": argv[0] if argv else ""},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip().splitlines()[-1]  # after "N objects imported"

    def start(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.data_dir / log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "zoneops", *args],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def start_worker(self, *extra: str) -> subprocess.Popen:
        return self.start(
            "job_worker", "--no-startup-delay", "--interval=0.2", *extra, log="worker.log"
        )

    def start_server(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = self.start("serve", f"--bind=127.0.0.1:{port}", "--workers=2", log="web.log")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (self.data_dir / "web.log").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}"
            time.sleep(0.2)
        raise AssertionError("the server did not start: " + (self.data_dir / "web.log").read_text())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def start_import(self, content: bytes) -> tuple[int, str]:
        upload = self.data_dir / "upload.csv"
        upload.write_bytes(content)
        job_id, key = self.shell(START_IMPORT, str(upload)).split()
        return int(job_id), key

    def progress(self, key: str) -> dict:
        try:
            return json.loads((self.data_dir / "jobs" / key / "progress.json").read_text())
        except (OSError, ValueError):
            return {}

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the site's database directly (no process of the site needed)."""
        connection = sqlite3.connect(self.data_dir / "zoneops.sqlite3", timeout=20)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def migrated_template(directory: Path) -> Path:
    """A data directory with a migrated database (made once, copied by ``new_site``)."""
    if not (directory / "zoneops.sqlite3").exists():
        directory.mkdir(parents=True, exist_ok=True)
        Site(directory).command("migrate", "-v0")
        Site(directory).shell(SETUP)
    return directory


def new_site(template: Path, data_dir: Path) -> Site:
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    return Site(data_dir)
