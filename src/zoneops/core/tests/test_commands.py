import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from zoneops.core.models import Department, User, Zone


def test_seed_demo_is_idempotent_and_cites_its_sources(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    # Each account with its role and zones, so that one knows whom to log in as.
    line = next(row for row in out.getvalue().splitlines() if "gx_liaison / " in row)
    assert "包保干部" in line and "长春高新区" in line
    zones, users, departments = (
        Zone.objects.count(),
        User.objects.count(),
        Department.objects.count(),
    )
    second = io.StringIO()
    call_command("seed_demo", stdout=second)
    assert "gx_staff / " not in second.getvalue()
    assert (Zone.objects.count(), User.objects.count(), Department.objects.count()) == (
        zones,
        users,
        departments,
    )
    new_area = Zone.objects.get(name="长春新区")
    assert set(new_area.children.values_list("name", flat=True)) == {
        "长春高新区",
        "北湖区",
        "临空区",
    }
    assert Zone.objects.get(name="兴隆综合保税区").parent.name == "长春经开区"
    assert set(Zone.objects.get(name="吉林高新区").children.values_list("name", flat=True)) == {
        "吉林高新南区",
        "吉林高新北区",
    }
    assert not Zone.objects.filter(source="").exists()


def test_createadmin_prints_a_random_password_once(db):
    first, second = io.StringIO(), io.StringIO()
    call_command("createadmin", username="boss", stdout=first)
    password = first.getvalue().split(" / ")[1].split()[0]
    assert User.objects.get(username="boss").check_password(password)
    call_command("createadmin", username="boss", stdout=second)
    assert "already exists" in second.getvalue()
    assert User.objects.get(username="boss").check_password(password)


def test_tick_command(db):
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "checked 0 open cases" in out.getvalue()


def test_console_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "zoneops", "--help"], capture_output=True, text=True, check=True
    )
    for name in ("demo", "serve", "migrate", "createadmin", "tick", "seed_demo"):
        assert name in result.stdout


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 60 + "-production-secret-key-0123456789",
        "DEBUG": "0",
        "ZONEOPS_HTTPS": "1",
        "ALLOWED_HOSTS": "zoneops.example.gov.cn",
        "ZONEOPS_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "zoneops", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_command_run_elsewhere_refuses_an_empty_database_and_says_where_it_looked(tmp_path):
    env = {**os.environ, "ZONEOPS_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "zoneops", "report", "--zone", "CCGX", "--period", "2025-09"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "no such table" not in result.stderr
    assert str(tmp_path / "data" / "zoneops.sqlite3") in result.stderr
    assert "ZONEOPS_DATA_DIR" in result.stderr and "DATABASE_URL" in result.stderr


def test_the_default_data_directory_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    from zoneops import settings as zoneops_settings

    here = zoneops_settings.default_data_dir()
    monkeypatch.chdir(tmp_path)
    assert zoneops_settings.default_data_dir() == here
    assert tmp_path not in here.parents
    # In a checkout (editable install): the checkout's var/, next to pyproject.toml.
    assert (here.parent / "pyproject.toml").is_file() and here.name == "var"


def test_serve_refuses_a_port_in_use_and_says_how_to_choose_another():
    import socket

    from django.core.management.base import CommandError

    from zoneops.core.management.commands.serve import check_free

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError) as refused:
            check_free(f"127.0.0.1:{port}")
    assert f"Port {port}" in str(refused.value) and "make demo PORT=" in str(refused.value)
