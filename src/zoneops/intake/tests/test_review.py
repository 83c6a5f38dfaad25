"""Registering articles, reviewing statements, contradictions, and the pages."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zoneops.core.ui.testing import ScopedViewTests
from zoneops.intake import services
from zoneops.intake.models import Document, Statement

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEXT = "今年计划实施大项目40个,年度计划投资35亿元,增长10%。目前拥有高新技术企业631家。"


def register(zone, user, text=TEXT, **kwargs):
    kwargs.setdefault("title", "工作报告")
    kwargs.setdefault("date", dt.date(2024, 1, 5))
    return services.register_document(acting_user=user, zone=zone, text=text, **kwargs)


@pytest.fixture
def document(zone_tree, users):
    return register(zone_tree["hitech"], users["staff"])[0]


def test_register_proposes_statements(document):
    statements = list(document.statements.all())
    assert [(s.indicator, s.value, s.unit, s.growth_pct, s.kind) for s in statements] == [
        ("project_count", 40, "个", None, "target"),
        ("annual_planned_investment", 350000, "万元", 10, "target"),
        ("hnte_count", 631, "家", None, "actual"),
    ]
    assert all(s.state == Statement.State.PROPOSED for s in statements)
    assert statements[0].subject == "长春高新区" and statements[0].period == "2024"


def test_same_article_twice_proposes_nothing_new(zone_tree, users, document):
    again, created = register(zone_tree["hitech"], users["staff"], text=f"\n{TEXT}\n")
    assert not created and again == document
    assert Statement.objects.count() == 3
    # The same figures reprinted in a longer article are not proposed a second time either.
    other, created = register(
        zone_tree["hitech"], users["staff"], text=TEXT + "新建了3处公益冰场。"
    )
    assert created
    assert [s.value for s in other.statements.all()] == [3]


def test_register_checks_zone_and_role(zone_tree, users):
    with pytest.raises(PermissionDenied):
        register(zone_tree["econ"], users["staff"])
    with pytest.raises(PermissionDenied):
        register(zone_tree["hitech"], users["leader"])
    with pytest.raises(ValidationError):
        register(zone_tree["hitech"], users["staff"], text="  ")
    assert not Document.objects.exists()


def test_accept_records_the_reviewed_fact(document, users):
    statement = document.statements.get(indicator="project_count")
    services.accept(statement, acting_user=users["staff"], note="核对原文")
    statement.refresh_from_db()
    assert statement.state == Statement.State.ACCEPTED and statement.is_reviewed_fact
    assert statement.reviewed_by == users["staff"] and statement.reviewed_at
    assert list(services.reviewed_facts()) == [statement]
    with pytest.raises(ValidationError):
        services.accept(statement, acting_user=users["staff"])


def test_correct_keeps_the_proposal(document, users):
    statement = document.statements.get(indicator="annual_planned_investment")
    services.correct(statement, acting_user=users["staff"], value=360000, period="2024")
    statement.refresh_from_db()
    assert statement.state == Statement.State.CORRECTED
    assert statement.value == 360000
    assert statement.proposed_data["value"] == 350000
    with pytest.raises(ValidationError):
        services.correct(document.statements.get(indicator="hnte_count"),
                         acting_user=users["staff"], value=None, growth_pct=None)  # fmt: skip


def test_reject_and_leaders_cannot_review(document, users):
    statement = document.statements.first()
    with pytest.raises(PermissionDenied):
        services.reject(statement, acting_user=users["leader"])
    services.reject(statement, acting_user=users["staff"], note="重复")
    statement.refresh_from_db()
    assert statement.state == Statement.State.REJECTED


def test_a_figure_contradicting_an_accepted_one_is_flagged(zone_tree, users, document):
    fact = document.statements.get(indicator="project_count")
    services.accept(fact, acting_user=users["staff"])
    other, _ = register(
        zone_tree["hitech"], users["staff"], text="今年计划实施大项目45个。", title="另一篇"
    )
    contradicting = other.statements.get()
    assert contradicting.conflicts_with == fact
    # Agreeing figures are not flagged.
    same, _ = register(zone_tree["hitech"], users["staff"], text="今年力争实施大项目40个。")
    assert same.statements.get().conflicts_with is None


def test_accepting_flags_proposals_already_waiting(zone_tree, users, document):
    waiting, _ = register(zone_tree["hitech"], users["staff"], text="今年计划实施大项目45个。")
    assert waiting.statements.get().conflicts_with is None
    fact = document.statements.get(indicator="project_count")
    services.accept(fact, acting_user=users["staff"])
    assert waiting.statements.get().conflicts_with == fact


# Pages ---------------------------------------------------------------------------------------


class TestDocumentViews(ScopedViewTests):
    model = Document
    url_base = "intake:document"
    search_term = "报告"

    def make(self, zone, index=0):
        from zoneops.core.models import User

        user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            "root", password="x"
        )
        text = f"第{index}号报告:今年计划实施项目{index + 40}个。"
        return register(zone, user, text=text, title=f"报告{index}")[0]

    def form_data(self, zone):
        return {"zone": zone.code, "title": "新文章", "source": "吉林日报", "text": TEXT}


class TestStatementViews(ScopedViewTests):
    model = Statement
    url_base = "intake:statement"
    has_add = has_edit = has_delete = False
    search_term = "项目"

    def make(self, zone, index=0):
        from zoneops.core.models import User

        user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            "root", password="x"
        )
        text = f"今年计划实施项目{index + 400}个。"
        return register(zone, user, text=text, title=f"报告{index}")[0].statements.get()


def test_upload_a_file_proposes_statements(client_for, users, zone_tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(users["staff"])
    upload = SimpleUploadedFile("02.txt", (FIXTURES / "02.txt").read_bytes())
    response = client.post(
        reverse("intake:document_add"),
        {"zone": "GX", "title": "", "source": "松花江网", "upload": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.statements.count() == 14
    assert document.date == dt.date(2024, 1, 5)
    page = client.get(document.get_absolute_url())
    assert "到位资金116亿元" in page.content.decode()


def test_review_page_highlights_and_accepts(client_for, users, document):
    client = client_for(users["staff"])
    statement = document.statements.get(indicator="annual_planned_investment")
    page = client.get(statement.get_absolute_url()).content.decode()
    assert '<strong class="intake-number text-danger">35亿元</strong>' in page
    assert "<mark" in page and "<script>" not in page.split("</nav>", 1)[-1]
    response = client.post(statement.get_absolute_url(), {"action": "accept", "kind": "target"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.state == Statement.State.ACCEPTED
    assert statement.reviewed_by == users["staff"]


def test_review_page_corrects_and_rejects(client_for, users, document):
    client = client_for(users["staff"])
    statement = document.statements.get(indicator="hnte_count")
    client.post(
        statement.get_absolute_url(),
        {"action": "correct", "kind": "actual", "value": "632", "unit": "家",
         "indicator": "hnte_count", "subject": "长春高新区", "period": "2024"},
    )  # fmt: skip
    statement.refresh_from_db()
    assert (statement.state, statement.value) == (Statement.State.CORRECTED, 632)
    other = document.statements.get(indicator="project_count")
    client.post(other.get_absolute_url(), {"action": "reject", "kind": "target"})
    other.refresh_from_db()
    assert other.state == Statement.State.REJECTED


def test_leader_sees_no_review_form(client_for, users, document):
    statement = document.statements.first()
    client = client_for(users["leader"])
    page = client.get(statement.get_absolute_url()).content.decode()
    assert 'id="review-form"' not in page
    client.post(statement.get_absolute_url(), {"action": "accept", "kind": "target"})
    statement.refresh_from_db()
    assert statement.state == Statement.State.PROPOSED
