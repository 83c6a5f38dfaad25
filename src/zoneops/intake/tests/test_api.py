"""Intake's REST endpoints: the articles and their statements, read as the pages show them, in
the reader's zones only; reviewing stays on the pages."""

import datetime as dt

import pytest

from zoneops.core.ui.testing import token_client
from zoneops.intake import services
from zoneops.intake.models import Statement

pytestmark = pytest.mark.django_db

TEXT = "今年计划实施大项目40个,年度计划投资35亿元,增长10%。目前拥有高新技术企业631家。"


@pytest.fixture
def articles(zone_tree, users):
    """One article of 高新区 (by its staff) and one of 经开区 (by theirs)."""

    def register(zone, user, title):
        return services.register_document(
            acting_user=user, zone=zone, text=TEXT, title=title, date=dt.date(2024, 1, 5)
        )[0]

    return {
        "hitech": register(zone_tree["hitech"], users["staff"], "高新区工作报告"),
        "econ": register(zone_tree["econ"], users["other_staff"], "经开区工作报告"),
    }


def test_articles_are_listed_for_their_zone_without_the_text(users, articles):
    body = token_client(users["staff"]).get("/api/articles/").json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["title"] == "高新区工作报告" and row["zone"] == "GX"
    assert "text" not in row
    detail = token_client(users["staff"]).get(f"/api/articles/{row['id']}/").json()
    assert detail["text"] == TEXT


def test_another_zones_article_is_not_found(users, articles):
    client = token_client(users["staff"])
    assert client.get(f"/api/articles/{articles['econ'].pk}/").status_code == 404
    listed = client.get("/api/statements/").json()["results"]
    assert {row["document"] for row in listed} == {articles["hitech"].pk}


def test_statements_filter_by_state_and_show_what_was_read(users, articles):
    client = token_client(users["staff"])
    statement = articles["hitech"].statements.get(indicator="hnte_count")
    services.reject(statement, acting_user=users["staff"], note="重复")
    proposed = client.get("/api/statements/", {"state": "proposed"}).json()
    assert proposed["count"] == 2
    rejected = client.get("/api/statements/", {"state": "rejected"}).json()["results"]
    assert [(row["indicator"], row["value"], row["unit"]) for row in rejected] == [
        ("hnte_count", "631.0000", "家")
    ]


def test_review_is_not_taken_through_the_api(users, articles):
    client = token_client(users["staff"])
    statement = articles["hitech"].statements.first()
    answer = client.patch(f"/api/statements/{statement.pk}/", {"state": "accepted"}, format="json")
    assert answer.status_code == 405
    assert client.post("/api/articles/", {"title": "x"}, format="json").status_code == 405
    statement.refresh_from_db()
    assert statement.state == Statement.State.PROPOSED
