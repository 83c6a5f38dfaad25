"""The two closed loops of issue 6, walked through the real pages.

- An appeal: an enterprise (no login) submits it on the public page and gets a tracking number;
  staff accept and assign it, the liaison starts, asks for an extension that staff approve,
  the liaison replies, the enterprise rates the answer (which closes it) and looks it up.
- A hazard: staff record it and name the liaison as owner; the owner rectifies with an
  evidence photo, may not verify it, and staff verify and close it.
"""

import re
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = "139-0431-5678"


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A small, real PNG: a red square."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _quick_public_form(settings, tmp_path):
    from django.core.cache import cache

    # A person needs a few seconds for the form; the test needs none. Uploads go to tmp.
    settings.ZONEOPS_APPEAL_CHALLENGE_SECONDS = (0, 7200)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate limits and failed lookups of earlier tests
    yield
    cache.clear()


@pytest.fixture
def public_page(browser, live_server, page, page_errors):
    """An anonymous browser of its own: the enterprise, never logged in."""
    ctx = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 900},
        base_url=live_server.url,
    )
    ctx.set_default_timeout(15_000)
    ctx.set_default_navigation_timeout(15_000)
    tab = ctx.new_page()
    page_errors.watch(tab)
    yield tab
    tab.wait_for_load_state("load")
    ctx.close()


@pytest.fixture
def shot(request):
    """``shot(page, name)``: a full-page PNG of any page under test-artifacts/browser/."""

    def take(tab, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", f"{request.node.name}-{name}").strip("_")
        path = ARTIFACTS / f"{stem}.png"
        tab.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def switch_to(page, context, login_as):
    """``switch_to(user)``: the logged-in browser now belongs to ``user``."""

    def switch(user):
        # Let the last person's requests (the bell's) finish and leave their page: a late
        # answer would set their session cookie again over the next person's.
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
        context.clear_cookies()
        return login_as(user)

    return switch


@pytest.fixture
def registered(zone_tree, db):
    from zoneops.enterprises.tests import factories

    return factories.enterprise(zone_tree["park"], 7, name="长春光电科技有限公司")


@pytest.fixture
def department(zone_tree):
    from zoneops.core.models import Department

    return Department.objects.create(zone=zone_tree["hitech"], name="营商环境建设局")


def success(page):
    return page.locator(".alert-success")


def failure(page):
    return page.locator(".alert-danger")


def act(page, transition: str, comment: str = "", **fields) -> None:
    """Fill the detail page's loop form and press the button of ``transition``."""
    form = page.locator("#transition-form")
    if comment:
        form.locator("[name=comment]").fill(comment)
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    form.locator(f"button[data-transition={transition}]").click()


def look_up(tab, tracking: str, suffix: str) -> None:
    tab.goto("/public/appeals/status/")
    tab.get_by_label("查询编号").fill(tracking)
    tab.get_by_label("手机号后四位").fill(suffix)
    tab.get_by_role("button", name="查询", exact=True).click()


def test_appeal_loop_from_public_submission_to_rated_lookup(
    public_page, switch_to, users, registered, department, shot, page_errors
):
    from zoneops.appeals.models import Appeal
    from zoneops.core.models import LoopEvent

    staff, liaison = users["staff"], users["liaison"]

    # The enterprise submits on the public page, answering the sum it is shown.
    ent = public_page
    ent.goto("/public/appeals/")
    expect(ent.get_by_role("heading", level=1)).to_be_visible()
    question = ent.locator("label[for=id_answer]").inner_text()
    a, b = (int(x) for x in re.search(r"(\d+)\s*\+\s*(\d+)", question).groups())
    ent.locator("#id_uscc").fill(registered.uscc)
    ent.locator("#id_contact_name").fill("张经理")
    ent.locator("#id_contact_phone").fill(PHONE)
    ent.locator("#id_category").select_option("utilities")
    ent.locator("#id_title").fill("厂区用电增容审批慢")
    ent.locator("#id_description").fill("新增产线需要用电增容，申请两个月仍未批复。")
    ent.locator("#id_answer").fill(str(a + b))
    shot(ent, "1-public-form")
    ent.locator("#public-submit").click()
    expect(ent.get_by_role("heading", level=1)).to_have_text("您的诉求已提交成功")
    tracking = ent.locator("#tracking-number").inner_text().strip()
    assert re.fullmatch(r"SQ\d{8}[2-9A-HJ-NP-Z]{6}", tracking)

    appeal = Appeal.objects.select_related("case", "submission").get()
    assert appeal.tracking_number == tracking
    assert appeal.enterprise == registered and appeal.zone == registered.zone
    assert appeal.channel == "online" and appeal.case.state == "submitted"
    assert appeal.submission.contact_phone == "13904315678"

    # Staff find it in the list, accept it and assign it to a department and the liaison.
    page = switch_to(staff)
    page.goto("/appeals/")
    page.get_by_role("link", name=tracking).click()
    expect(page.locator("#tracking-number")).to_have_text(tracking)
    expect(page.locator("#case-state")).to_have_text("已提交")
    expect(page.locator("#appeal-status")).to_contain_text("长春光电科技有限公司")
    act(page, "accept")
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已受理")
    act(page, "assign", department=department.pk, handler=liaison.pk)
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已交办")
    expect(page.locator("#appeal-status")).to_contain_text("营商环境建设局")
    appeal.case.refresh_from_db()
    assert appeal.case.handler == liaison and appeal.case.department == department
    due_before = appeal.case.due_date

    # The liaison sees the assignment, starts work and asks for five more working days.
    page = switch_to(liaison)
    page.goto(appeal.get_absolute_url())
    expect(page.locator("#unread-count")).to_be_visible()
    expect(page.locator("#case-state")).to_have_text("已交办")
    act(page, "start")
    expect(page.locator("#case-state")).to_have_text("办理中")
    act(page, "request_extension", "需供电公司现场勘查，申请延期。", extra_working_days=5)
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#pending-extension")).to_contain_text("需供电公司现场勘查")
    # Nobody approves their own request.
    act(page, "approve_extension")
    expect(failure(page)).to_be_visible()
    expect(page.locator("#pending-extension")).to_be_visible()
    shot(page, "2-liaison-extension-pending")

    # Staff approve the extension: the due date moves five working days later.
    page = switch_to(staff)
    page.goto(appeal.get_absolute_url())
    expect(page.locator("#pending-extension")).to_be_visible()
    act(page, "approve_extension")
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#pending-extension")).to_have_count(0)
    appeal.case.refresh_from_db()
    assert appeal.case.due_date > due_before
    approval = LoopEvent.objects.get(case=appeal.case, transition="approve_extension")
    assert approval.actor == staff and approval.data["extra_working_days"] == 5

    # The liaison answers the enterprise.
    page = switch_to(liaison)
    page.goto(appeal.get_absolute_url())
    answer = "已协调供电公司完成勘查，增容方案本周内批复。"
    act(page, "reply", answer)
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已答复")

    # The enterprise looks it up, sees the answer and rates it: that closes the appeal.
    look_up(ent, tracking, "5678")
    card = ent.locator(".appeal-status")
    expect(card.locator(".status-badge")).to_have_text("已答复")
    expect(card).to_contain_text(answer)
    card.locator("select[name=score]").select_option("5")
    card.locator("input[name=comment]").fill("办理及时，非常满意。")
    card.get_by_role("button", name="评价答复").click()
    expect(ent.locator("#lookup-notice")).to_have_text("感谢您的评价。")
    expect(card.locator(".status-badge")).to_have_text("已办结")

    appeal.refresh_from_db()
    appeal.case.refresh_from_db()
    assert appeal.case.state == "closed" and not appeal.case.is_open
    assert appeal.closed_by == "confirmation" and appeal.closed_on_time is True
    assert appeal.rating == 5 and appeal.rating_comment == "办理及时，非常满意。"
    assert appeal.accepted_on and appeal.answered_on and appeal.replied_on
    steps = appeal.case.events.exclude(transition__in=["", "open"])
    assert [(e.transition, e.actor) for e in steps] == [
        ("accept", staff),
        ("assign", staff),
        ("start", liaison),
        ("request_extension", liaison),
        ("approve_extension", staff),
        ("reply", liaison),
        ("confirm", None),  # the enterprise, on the public page
    ]

    # A later lookup shows it closed and rated, with no rating form left.
    look_up(ent, tracking, "5678")
    expect(card.locator(".status-badge")).to_have_text("已办结")
    expect(card).to_contain_text("您的评价: 5/5")
    expect(card.locator(".rate-form")).to_have_count(0)
    shot(ent, "3-public-lookup-closed")

    # The wrong phone digits show nothing of the appeal, only a clear message.
    page_errors.allow("status of 404")
    look_up(ent, tracking, "1234")
    expect(ent.locator("#lookup-error")).to_have_text(
        "没有与此查询编号和手机号后四位相符的诉求。请核对后重试。"
    )
    expect(ent.locator(".appeal-status")).to_have_count(0)
    shot(ent, "4-public-lookup-wrong-phone")

    # Staff see it closed too.
    page = switch_to(staff)
    page.goto(appeal.get_absolute_url())
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("#transition-form button[data-transition=reopen]")).to_be_visible()


def test_hazard_loop_with_evidence_and_verification_by_another(
    switch_to, users, registered, department, shot
):
    from django.utils import timezone

    from zoneops.core.models import LoopEvent
    from zoneops.hazards.models import Hazard

    staff, liaison = users["staff"], users["liaison"]

    # Staff record the hazard at a registered enterprise.
    page = switch_to(staff)
    page.goto("/hazards/")
    page.get_by_role("link", name="新增").first.click()
    expect(page).to_have_url(re.compile(r"/hazards/add/$"))
    form = page.locator("#edit-form")
    form.locator("#id_enterprise_uscc").fill(registered.uscc)
    form.locator("#id_title").fill("配电室灭火器过期")
    form.locator("#id_category").select_option("fire")
    form.locator("#id_level").select_option("general")
    form.locator("#id_place").fill("二号厂房配电室")
    form.locator("#id_description").fill("配电室两具干粉灭火器压力不足，已过检验期。")
    form.locator("#id_remedy").fill("更换灭火器并补贴检验标签。")
    # The found date starts as today (an ISO value the date input keeps).
    expect(form.locator("#id_found_on")).to_have_value(timezone.localdate().isoformat())
    form.get_by_role("button", name="保存").click()
    expect(success(page)).to_have_text("已保存“配电室灭火器过期”。")
    hazard = Hazard.objects.select_related("case").get()
    assert re.search(rf"/hazards/{hazard.pk}/$", page.url)
    assert hazard.enterprise == registered and hazard.zone == registered.zone
    assert hazard.found_by == staff and hazard.case.state == "found"
    assert hazard.found_on == timezone.localdate()
    expect(page.locator("#case-state")).to_have_text("已发现")

    # …and make the liaison its owner.
    act(page, "assign", department=department.pk, handler=liaison.pk)
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#hazard-status")).to_contain_text("营商环境建设局")
    hazard.case.refresh_from_db()
    assert hazard.case.state == "assigned" and hazard.case.handler == liaison

    # The owner starts; reporting it rectified without evidence is refused.
    page = switch_to(liaison)
    page.goto(hazard.get_absolute_url())
    act(page, "start")
    expect(page.locator("#case-state")).to_have_text("整改中")
    act(page, "rectify", "已更换灭火器。")
    expect(failure(page)).to_have_text("请先上传整改后的照片或佐证材料。")
    expect(page.locator("#case-state")).to_have_text("整改中")

    # With an evidence photo uploaded the report goes through.
    photos = page.locator("#photo-form")
    photos.locator("[name=kind]").select_option("evidence")
    photos.locator("[name=file]").set_input_files(
        {"name": "灭火器更换.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    photos.get_by_role("button", name="上传").click()
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#photos")).to_contain_text("灭火器更换.png")
    expect(page.locator("#photos")).to_contain_text("整改佐证")
    act(page, "rectify", "已更换两具灭火器并张贴检验标签。")
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已整改，待验收")

    # The owner may not verify their own work.
    act(page, "verify")
    expect(failure(page)).to_have_text("您的角色不能对该事项执行“验收整改”。")
    expect(page.locator("#case-state")).to_have_text("已整改，待验收")
    shot(page, "1-owner-may-not-verify")
    hazard.refresh_from_db()
    assert hazard.case.state == "rectified" and hazard.verified_by is None

    # Staff verify and close it.
    page = switch_to(staff)
    page.goto(hazard.get_absolute_url())
    expect(page.locator("#photos")).to_contain_text("灭火器更换.png")
    act(page, "verify")
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已验收")
    act(page, "close")
    expect(success(page)).to_have_text("操作成功。")
    expect(page.locator("#case-state")).to_have_text("已销号")
    expect(page.locator("#case-escalation")).to_have_count(0)
    shot(page, "2-closed")

    hazard.refresh_from_db()
    hazard.case.refresh_from_db()
    assert hazard.case.state == "closed" and not hazard.case.is_open
    assert hazard.verified_by == staff and hazard.verified_on and hazard.rectified_on
    evidence = hazard.photos.get()
    assert evidence.kind == "evidence" and evidence.uploaded_by == liaison
    assert evidence.content_type == "image/png" and evidence.file.read() == png_bytes()
    done = LoopEvent.objects.filter(case=hazard.case).exclude(transition__in=["", "open"])
    assert [(e.transition, e.actor) for e in done] == [
        ("assign", staff),
        ("start", liaison),
        ("rectify", liaison),
        ("verify", staff),
        ("close", staff),
    ]
