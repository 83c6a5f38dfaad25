"""docs/openapi.yaml is the schema the API serves: a change to the API is a diff of that file in
review, under a new version (``make openapi`` writes it, and refuses a changed schema under the
old version)."""

from pathlib import Path

import yaml
from django.conf import settings

import zoneops
from zoneops.api.schema import generate_yaml
from zoneops.core.ui.testing import token_client

COMMITTED = Path(zoneops.__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_the_committed_schema_is_the_generated_one():
    committed = COMMITTED.read_text()
    assert generate_yaml() == committed, (
        "The API changed: raise SPECTACULAR_SETTINGS['VERSION'] and run `make openapi`."
    )
    assert yaml.safe_load(committed)["info"]["version"] == settings.SPECTACULAR_SETTINGS["VERSION"]


def test_the_served_schema_is_the_committed_one(users):
    served = token_client(users["staff"]).get("/api/schema/?format=json").json()
    assert served == yaml.safe_load(COMMITTED.read_text())
