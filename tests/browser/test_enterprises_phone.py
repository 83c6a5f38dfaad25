"""On the phone (issue 10): a liaison cadre or inspector in the field, on a 375×812 screen.

Every page they use fits the screen (nothing scrolls the page sideways), and a visit recorded
while the connection drops is kept on the phone, sent when the connection is back and saved
exactly once; an appeal is then raised from that visit.
"""

import datetime as dt
import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def context(browser, live_server):
    """A phone: 375×812 CSS pixels, touch, a Chinese browser in China's time zone."""
    ctx = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    ctx.set_default_timeout(15_000)
    ctx.set_default_navigation_timeout(15_000)
    yield ctx
    ctx.close()


def camera_photo(width=2400, height=1800) -> dict:
    """A 4.3-megapixel JPEG as a phone camera takes it, with the place in its EXIF GPS block."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (40, 120, 200))
    for x in range(0, width, 200):  # some detail, so that it is not one flat colour
        image.paste((230, 180, 40), (x, 0, x + 60, height))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (43.0, 52.0, 48.0), 3: "E", 4: (125.0, 21.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
    return {
        "name": "IMG_20251120_101500.jpg",
        "mimeType": "image/jpeg",
        "buffer": buffer.getvalue(),
    }


@pytest.fixture
def field(zone_tree, users, department):
    """The liaison cadre's enterprise with a contact, a visit and an appeal, a hazard they
    rectify and a project with a blocker, all in the hi-tech zone's park."""
    from zoneops.appeals import services as appeals
    from zoneops.enterprises import services as enterprises
    from zoneops.enterprises.models import Contact
    from zoneops.enterprises.tests.factories import enterprise
    from zoneops.hazards import services as hazards
    from zoneops.projects import services as projects
    from zoneops.projects.tests.factories import make_project

    park, staff, liaison = zone_tree["park"], users["staff"], users["liaison"]
    mine = enterprise(
        park,
        11,
        name="长春长光辰芯微电子股份有限公司（高新区光电信息产业园二期）",
        address="吉林省长春市高新区硅谷大街与飞跃路交汇处长光辰芯光电产业园区二期厂房",
    )
    enterprises.assign_liaison(mine, liaison, acting_user=staff, is_lead=True)
    Contact.objects.create(
        enterprise=mine, name="王经理", role="总经理", phone="13812341234", is_primary=True
    )
    visit = enterprises.record_visit(
        mine,
        acting_user=liaison,
        people_met="王经理",
        findings="二期厂房用电增容进度慢，影响新生产线调试。" * 3,
        appeals_raised="希望协调供电公司尽快增容。",
    )
    appeals.submit(
        zone=park,
        channel="visit",
        enterprise_name=mine.name,
        uscc=mine.uscc,
        contact_name="王经理",
        contact_phone="13812341234",
        items=[appeals.Item(title="二期厂房用电增容", category="utilities", description="增容")],
        acting_user=liaison,
        enterprise=mine,
        visit=visit,
    )
    hazard = hazards.report_hazard(
        zone=park,
        enterprise=mine,
        title="危化品仓库消防通道堆放原料桶",
        category="fire",
        description="仓库消防通道堆放原料桶，影响疏散。",
        acting_user=staff,
    )
    hazards.transition(hazard, "assign", acting_user=staff, handler=liaison, department=department)
    project = make_project(park, 1, name="长光卫星遥感卫星产业化基地二期项目")
    projects.raise_blocker(
        project, kind="power", description="35千伏专线未接入，影响设备调试。", acting_user=staff
    )
    return {"enterprise": mine, "visit": visit, "hazard": hazard, "project": project}


@pytest.fixture
def department(zone_tree):
    from zoneops.core.models import Department

    return Department.objects.create(zone=zone_tree["hitech"], name="应急管理局")


OUTBOX_EMPTY = """() => new Promise(resolve => {
  const open = indexedDB.open("zoneops-outbox", 1);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("forms")) { db.close(); resolve(true); return; }
    const count = db.transaction("forms").objectStore("forms").count();
    count.onsuccess = () => { db.close(); resolve(count.result === 0); };
  };
})"""


def assert_fits_the_phone(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: the page is {width}px wide on a 375px screen"


def test_the_field_pages_fit_a_phone_screen(login_as, users, field, url, screenshot):
    from zoneops.appeals.models import Appeal

    page = login_as(users["liaison"])
    ent, visit, hazard, project = (field[k] for k in ("enterprise", "visit", "hazard", "project"))
    appeal = Appeal.objects.get()
    pages = {
        "my enterprises": "/enterprises/?mine=true",
        "enterprise card": ent.get_absolute_url(),
        "record a visit": f"/enterprises/visits/add/?enterprise={ent.uscc}",
        "the visit": visit.get_absolute_url(),
        "raise an appeal from the visit": f"/appeals/from-visit/{visit.pk}/",
        "my appeals": "/appeals/?mine=true&is_open=true&sort=case__due_date",
        "an appeal": appeal.get_absolute_url(),
        "my hazards": "/hazards/?mine=true&is_open=true&sort=deadline",
        "a hazard": hazard.get_absolute_url(),
        "rectify a hazard": f"/hazards/{hazard.pk}/rectify/",
        "a project": project.get_absolute_url(),
    }
    for what, path in pages.items():
        page.goto(url(path))
        assert_fits_the_phone(page, what)
        screenshot(what.replace(" ", "-"))

    # The menu folds into one button; opened, it still fits.
    page.goto(url("/enterprises/?mine=true"))
    expect(page.locator("#nav")).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(page.locator("#nav")).to_be_visible()
    assert_fits_the_phone(page, "the opened menu")

    # The list of my enterprises is a pile of cards, each line named.
    page.goto(url("/enterprises/?mine=true"))
    card = page.locator("#object-table tbody tr").first
    expect(card).to_contain_text("长春长光辰芯")
    assert page.locator("#object-table thead").bounding_box()["height"] <= 1
    label = card.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert "统一社会信用代码" in label

    # The card: the contact is a tap to call; the open appeal and its deadline are there.
    page.goto(url(ent.get_absolute_url()))
    expect(page.locator("#contacts a[href='tel:13812341234']")).to_have_text("13812341234")
    expect(page.locator("#open-appeals")).to_contain_text("二期厂房用电增容")
    expect(page.locator("#visits")).to_contain_text("二期厂房用电增容进度慢")

    # The hazard's deadline, and the project's light and open blocker.
    page.goto(url(hazard.get_absolute_url()))
    expect(page.locator("#hazard-status")).to_contain_text(f"{hazard.deadline:%Y}")
    page.goto(url(project.get_absolute_url()))
    expect(page.locator("#project-light")).to_be_visible()
    expect(page.locator("#open-blockers")).to_contain_text("供电")

    # Site photos of a project are zone staff's: the progress note form fits too.
    page.context.clear_cookies()
    page = login_as(users["staff"])
    page.goto(url(f"/projects/notes/add/?project={project.code}"))
    expect(page.locator("input[name=photos]")).to_have_attribute("capture", "environment")
    assert_fits_the_phone(page, "a progress note with site photos")
    screenshot("progress-note")


def test_liaison_visit_offline_then_appeal_at_phone_size(
    login_as, users, field, url, page_errors, screenshot, robot_server, department, colleague
):
    from django.core.management import call_command

    from zoneops.appeals import services as appeals
    from zoneops.appeals.models import Appeal
    from zoneops.core.files import photos
    from zoneops.enterprises.models import Visit, VisitPhoto
    from zoneops.notifications.models import Channel, Event, Route

    # Sending while the network is cut fails in the browser: that is the point of the test.
    page_errors.allow("ERR_INTERNET_DISCONNECTED")
    liaison, ent = users["liaison"], field["enterprise"]
    visits_before = Visit.objects.count()
    page = login_as(liaison)

    # 1. From the enterprise they look after, "record a visit".
    page.goto(url("/enterprises/?mine=true"))
    page.locator("#object-table").get_by_role("link", name=ent.name).click()
    page.locator("#record-visit").click()
    expect(page.locator("#edit-form")).to_be_visible()
    assert_fits_the_phone(page, "the visit form")
    page.locator("#id_people_met").fill("王经理、李主任")

    # 2. In the middle of filling it in, the connection drops.
    page.context.set_offline(True)
    page.locator("#id_findings").fill("新生产线调试缺电，二期厂房需增容 2000 千伏安。")
    page.locator("#id_appeals_raised").fill("希望协调供电公司尽快增容。")
    page.locator("input[name=photos]").set_input_files([camera_photo()])
    page.locator("#edit-form [type=submit]").click()
    expect(page.locator("#phone-form-notice")).to_contain_text("网络已断开")
    screenshot("queued-offline")
    assert Visit.objects.count() == visits_before  # nothing arrived yet

    # 3. The connection is back: the kept form goes by itself, and the visit page opens.
    page.context.set_offline(False)
    expect(page.locator("#visit-photos img")).to_have_count(1)
    expect(page.locator(".alert-success")).to_be_visible()
    visit = Visit.objects.exclude(pk=field["visit"].pk).get()
    assert Visit.objects.count() == visits_before + 1  # exactly once
    assert visit.cadre == liaison and visit.people_met == "王经理、李主任"
    photo = VisitPhoto.objects.get(visit=visit)
    # Shrunk in the browser to at most 2 megapixels, and no location left in the file.
    from PIL import Image

    with Image.open(photo.file.open("rb")) as stored:
        assert stored.width * stored.height <= 2_000_000
    assert photos.location_of(photo.file.open("rb").read()) == {}
    # The draft kept while offline is gone, so a new visit starts empty.
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('zoneops-draft:')).length"
        )
        == 0
    )
    screenshot("visit-saved")

    # 4. Raise an appeal from this visit: the contact comes from the enterprise.
    page.locator("#raise-appeal").click()
    assert_fits_the_phone(page, "the appeal form")
    expect(page.locator("#id_contact_name")).to_have_value("王经理")
    page.locator("#id_category").select_option("utilities")
    page.locator("#id_title").fill("二期厂房用电增容")
    page.locator("#id_description").fill("新生产线调试缺电，希望协调供电公司尽快增容 2000 千伏安。")
    page.locator("#visit-appeal-form [type=submit]").click()
    expect(page.locator("h1")).to_contain_text("二期厂房用电增容")
    appeal = Appeal.objects.get(visit=visit)
    assert appeal.enterprise == ent and appeal.channel == "visit"
    assert appeal.case.due_date >= dt.date.today()
    screenshot("appeal-raised")

    # 5. At the office the appeal is accepted and assigned; the handler's department hears of
    # it in its 企业微信 group when `zoneops tick` delivers the outbox.
    route = Route(
        zone=ent.zone,
        name="营商局企业微信群",
        channel=Channel.WECOM,
        webhook_url=f"{robot_server.url}/cgi-bin/webhook/send?key=test-key",
    )
    route.set_events([Event.ASSIGNED])
    route.save()
    staff = users["staff"]
    appeal = appeals.transition(appeal, "accept", acting_user=staff)
    appeals.transition(
        appeal, "assign", acting_user=staff, department=department, handler=colleague
    )
    call_command("tick", stdout=io.StringIO())
    sent = [r for r in robot_server.requests if r.path == "/cgi-bin/webhook/send"]
    assert len(sent) == 1 and sent[0].query == {"key": "test-key"}
    assert sent[0].json["msgtype"] == "text"
    assert "二期厂房用电增容" in sent[0].json["text"]["content"]


def test_a_half_filled_visit_survives_a_reload_and_counts_once(
    login_as, users, field, url, page_errors
):
    from zoneops.core.models import ClientSubmission
    from zoneops.enterprises.models import Visit

    page_errors.allow("ERR_INTERNET_DISCONNECTED")
    ent = field["enterprise"]
    page = login_as(users["liaison"])
    page.goto(url(f"/enterprises/visits/add/?enterprise={ent.uscc}"))
    token = page.locator("input[name=client_token]").input_value()
    page.locator("#id_people_met").fill("王经理")
    page.locator("#id_findings").fill("厂房屋顶漏水。")

    # The page is opened again (the phone reloaded it): what was typed is back, and the form
    # keeps its token, so that it still counts as the same form.
    page.reload()
    expect(page.locator("#phone-form-notice")).to_contain_text("已恢复")
    expect(page.locator("#id_findings")).to_have_value("厂房屋顶漏水。")
    assert page.locator("input[name=client_token]").input_value() == token

    # Offline, the impatient cadre sends it twice; back online, both go: one visit.
    page.context.set_offline(True)
    page.locator("#edit-form [type=submit]").click()
    expect(page.locator("#phone-form-notice")).to_contain_text("网络已断开")
    page.locator("#edit-form [type=submit]").click()
    expect(page.locator("#phone-form-notice")).to_contain_text("网络已断开")
    page.context.set_offline(False)
    expect(page.locator("h1")).to_contain_text(ent.name)
    # The second copy goes from the visit page, once it has opened; then the outbox is empty.
    page.wait_for_function(OUTBOX_EMPTY)
    page.wait_for_load_state("networkidle")
    assert Visit.objects.filter(findings="厂房屋顶漏水。").count() == 1
    assert ClientSubmission.objects.filter(token=token).count() == 1


def test_a_visit_with_a_mistake_comes_back_to_be_corrected(login_as, users, field, url):
    from zoneops.enterprises.models import Visit

    ent = field["enterprise"]
    page = login_as(users["liaison"])
    page.goto(url(f"/enterprises/visits/add/?enterprise={ent.uscc}"))
    page.locator("#id_visited_on").fill("2999-01-01")
    page.locator("#id_findings").fill("仓库外墙开裂。")
    page.locator("#edit-form [type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("走访日期不能晚于今天")
    expect(page.locator("#id_findings")).to_have_value("仓库外墙开裂。")
    assert not Visit.objects.filter(findings="仓库外墙开裂。").exists()
    page.locator("#id_visited_on").fill(dt.date.today().isoformat())
    page.locator("#edit-form [type=submit]").click()
    expect(page.locator("#visit-photos")).to_be_visible()
    assert Visit.objects.filter(findings="仓库外墙开裂。").count() == 1
