"""Clients generated from the live /api/schema/ as other systems' developers would make them,
each running a short script against a live server (issue #22): openapi-python-client 0.29
(``--fail-on-warning``) and openapi-generator's typescript-fetch (compiled with tsc, run with
node). Neither generator may warn about anything, and each script logs in with a token, lists
with filters and pages, walks an appeal through its loop and reads the row error of a bulk.

The generators and tsc come from ``tests/clients/install-generators`` (``make test-clients``
runs it) in test-artifacts/clients/, or ZONEOPS_CLIENT_TOOLS. Marked ``clients``: run by
``make test-clients`` only.
"""

import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.clients

HERE = Path(__file__).resolve().parent
TOOLS = Path(os.environ.get("ZONEOPS_CLIENT_TOOLS", HERE.parent.parent / "test-artifacts/clients"))
TIMEOUT = 600
EXPECTED = {
    "departments": [60, 50, 10, False],
    "past_the_end": "not_found",
    "refused_transition": "The request is not valid.",
    "states": ["submitted", "accepted", "assigned", "in_progress", "replied", "closed"],
    "closed_listed": True,
    "bulk_errors": [[2, "month", "13"]],
    "bulk_messages": [["en", "zh"]],
}


def tool(*parts) -> str:
    path = TOOLS.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: run tests/clients/install-generators")
    return str(path)


def run(args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert done.returncode == 0, f"{args[0]}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def world(live_server, users, zone_tree, tmp_path):
    """The live server, its schema in a file and the script's environment."""
    from rest_framework.authtoken.models import Token

    from zoneops.core.models import Department
    from zoneops.enterprises.models import Enterprise
    from zoneops.enterprises.uscc import make

    hitech = zone_tree["hitech"]
    Department.objects.bulk_create(
        [Department(zone=hitech, name=f"部门{i:02d}", code=f"GX-B{i:02d}") for i in range(60)]
    )
    department = Department.objects.get(name="部门00")
    firm = Enterprise.objects.create(
        uscc=make("91220101MA0000001"), name="长春光电科技有限公司", zone=zone_tree["park"]
    )
    staff, liaison = users["staff"], users["liaison"]
    token = Token.objects.create(user=staff).key
    request = urllib.request.Request(
        live_server.url + "/api/schema/?format=json", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request) as answer:
        schema = json.load(answer)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False))
    env = os.environ | {
        "ZONEOPS_URL": live_server.url,
        "ZONEOPS_TOKEN": token,
        "ZONEOPS_HANDLER_TOKEN": Token.objects.create(user=liaison).key,
        "ZONEOPS_HANDLER_ID": str(liaison.pk),
        "ZONEOPS_DEPARTMENT": department.code,
        "ZONEOPS_ZONE": hitech.code,
        "ZONEOPS_USCC": firm.uscc,
    }
    return {"schema": path, "env": env, "dir": tmp_path, "operations": count_operations(schema)}


def count_operations(schema) -> int:
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(len(set(ops) & methods) for ops in schema["paths"].values())


def test_the_python_client_openapi_python_client_generates(world):
    config = world["dir"] / "generator.yaml"
    config.write_text("post_hooks: []\n")
    out = world["dir"] / "python-client"
    done = run(
        [
            tool("venv", "bin", "openapi-python-client"),
            "generate",
            "--path",
            str(world["schema"]),
            "--output-path",
            str(out),
            "--config",
            str(config),
            "--fail-on-warning",
        ]
    )
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    built = list((out / "zoneops_api_client" / "api").glob("*/*.py"))
    built = [p for p in built if p.name != "__init__.py"]
    assert len(built) == world["operations"]
    print(f"openapi-python-client: {len(built)} operations, no warning")
    answer = run(
        [tool("venv", "bin", "python"), str(HERE / "python_client_run.py")],
        env=world["env"] | {"PYTHONPATH": str(out)},
    )
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == EXPECTED


def test_the_typescript_client_of_openapi_generator_compiles_and_runs(world):
    out = world["dir"] / "ts"
    gen = out / "gen"
    done = run(
        [
            tool("venv", "bin", "openapi-generator-cli"),
            "generate",
            "-i",
            str(world["schema"]),
            "-g",
            "typescript-fetch",
            "-o",
            str(gen),
        ]
    )
    warnings = [line for line in done.stdout.splitlines() if "WARN" in line]
    assert warnings == []
    built = sum(
        len(re.findall(r"async \w+Raw\(", path.read_text())) for path in (gen / "apis").glob("*.ts")
    )
    assert built == world["operations"]
    print(f"openapi-generator typescript-fetch: {built} operations, no warning")
    shutil.copy(HERE / "typescript_client_run.ts", out / "run.ts")
    (out / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "ES2020",
                    "module": "commonjs",
                    "lib": ["ES2020", "DOM"],
                    "types": ["node"],
                    "typeRoots": [tool("node", "node_modules", "@types")],
                    "strict": True,
                    "skipLibCheck": True,
                    "outDir": "out",
                },
                "files": ["run.ts"],
            }
        )
    )
    run([tool("node", "node_modules", ".bin", "tsc"), "-p", str(out)], cwd=out)
    answer = run(["node", str(out / "out" / "run.js")], env=world["env"], cwd=out)
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == EXPECTED
