"""The dispatch pack as the reader sees it: rendered by LibreOffice to PDF and measured.

GB/T 9704-2012 is about geometry, so these tests measure the PDF (pypdf for the page size,
``pdftotext -bbox`` for where the text lies, ``pdftoppm`` for the colour of the 版头). The
government fonts are not in Debian: LibreOffice substitutes free CJK fonts (fonts-noto-cjk),
which have the same em size, so lines and characters per line are what Word shows.
The PDF and page images are kept under ``test-artifacts/pack/``.

The pack is printed on both sides: the PDF keeps the blank page a word processor leaves before
a section that starts on an even page (LibreOffice leaves it out of a PDF unless told).
"""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from zoneops.core.loop import services as core_services
from zoneops.reports import gongwen, services

pytestmark = pytest.mark.office

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, RIGHT = 28 * MM, (210 - 26) * MM  # the 版心's edges
TOP, BOTTOM = 37 * MM, (297 - 35) * MM
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "pack"
# as a double-sided print: with the blank pages LibreOffice inserts before an even-page section
PDF_EXPORT = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def to_pdf(data: bytes, name: str, tmp_path: Path) -> Path:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office, "LibreOffice is installed by scripts/install-office"
    assert shutil.which("pdftotext"), "poppler-utils is installed by scripts/install-office"
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    subprocess.run(
        [office, "--headless", "--convert-to", PDF_EXPORT, "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = tmp_path / f"{name}.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):  # a run before may have had more pages
        old.unlink()
    shutil.copy(pdf, ARTIFACTS / pdf.name)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / name)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf


def pages(pdf: Path) -> list[dict]:
    """Per page: its size and its words (text, xMin, yMin, xMax, yMax in pt from the top)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout
    root = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    found = []
    for page in root.iter("page"):
        words = [
            (
                w.text or "",
                float(w.get("xmin")),
                float(w.get("ymin")),
                float(w.get("xmax")),
                float(w.get("ymax")),
            )
            for w in page.iter("word")
        ]
        found.append(
            {"width": float(page.get("width")), "height": float(page.get("height")), "words": words}
        )
    return found


def lines(words) -> list[list]:
    """Words grouped by baseline (yMax within 1 pt), top to bottom, each left to right."""
    grouped: list[list] = []
    for word in sorted(words, key=lambda w: (round(w[4]), w[1])):
        if grouped and abs(grouped[-1][0][4] - word[4]) < 1:
            grouped[-1].append(word)
        else:
            grouped.append([word])
    return grouped


PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")


def page_number_of(page) -> tuple[int, tuple]:
    """The page's number and the box of "— n —" (the words of its line joined)."""
    for line in lines(page["words"]):
        text = " ".join(w[0] for w in line)
        match = PAGE_NUMBER.match(text.replace(" ", " "))
        if match:
            return int(match.group(1)), (
                min(w[1] for w in line),
                min(w[2] for w in line),
                max(w[3] for w in line),
                max(w[4] for w in line),
            )
    raise AssertionError(f"no page number on a page: {[w[0] for w in page['words']][-5:]}")


def check_banji(found: list[dict], *, copy_to: bool = True) -> list[dict]:
    """GB/T 9704-2012 7.4 and 7.5: the 版记 alone on the last page, which is even (封四), its
    last line on the 版心's last line; before it the body's last page, or a blank page when the
    body ends on an even page; neither the 版记 page nor that blank page numbered.

    Returns the body's pages (which are numbered: see check_page_numbers)."""
    assert len(found) % 2 == 0, len(found)  # the 版记 on an even page, 封四
    for page in found[:-1]:
        assert not any("印发" in w[0] or "抄送" in w[0] for w in page["words"])
    last = found[-1]
    rows = lines(last["words"])
    texts = ["".join(w[0] for w in row) for row in rows]
    assert not any(PAGE_NUMBER.match(t) for t in texts), texts  # no page number
    banji = rows[-2:] if copy_to else rows[-1:]
    assert len(rows) == len(banji), texts  # nothing but the 版记
    if copy_to:
        assert texts[-2].startswith("抄送："), texts
    assert texts[-1].endswith("印发"), texts
    # the last line ends at the foot of the 版心, the 版记 inside it left and right
    assert BOTTOM - 3 * MM <= max(w[4] for w in rows[-1]) <= BOTTOM + 1
    assert min(w[1] for row in banji for w in row) >= LEFT - 1
    assert max(w[3] for row in banji for w in row) <= RIGHT + 1
    body = found[:-1]
    if not body[-1]["words"]:  # the blank page (and nothing on it: no page number)
        body = body[:-1]
        assert len(body) % 2 == 0  # only after a body ending on an even page
    else:
        assert len(body) % 2 == 1  # the body ends on an odd page, the 版记 on its back
    assert all(page["words"] for page in body)
    # the 署名 and 成文日期 are not alone on the body's last page (GB/T 9704-2012 7.3.5)
    assert len(lines(body[-1]["words"])) > 3, [w[0] for w in body[-1]["words"]]
    # the body ends with the signature and the 成文日期
    end = "".join(w[0] for row in lines(body[-1]["words"]) for w in row)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日—\d+—$", end), end[-30:]
    return body


def check_page_numbers(found: list[dict]):
    """4号 "— n —" on every page of the body, below the 版心, odd pages right and even pages
    left (the blank page and the 版记 page after it are not numbered: see check_banji)."""
    for index, page in enumerate(found, start=1):
        number, (x0, y0, x1, y1) = page_number_of(page)
        assert number == index
        landscape = page["width"] > page["height"]
        bottom = (210 - 26) * MM if landscape else BOTTOM
        assert y0 > bottom, (index, y0, bottom)  # below the 版心
        assert y1 < page["height"] - 10 * MM
        assert 10 <= y1 - y0 <= 20  # 4号 (14 pt) digits and dashes
        middle = page["width"] / 2
        if index % 2:
            assert x0 > middle, (index, x0)  # odd: on the right …
            right = page["width"] - (35 if landscape else 26) * MM
            assert right - 2 * 14 <= x1 <= right + 1, (index, x1)  # … one character in
        else:
            assert x1 < middle, (index, x1)  # even: on the left
            left = (37 if landscape else 28) * MM
            assert left - 1 <= x0 <= left + 2 * 14, (index, x0)


# (overdue cases, whether the body ends on an even page): a long pack and a short one, the
# body of one ending on an even page and of the other on an odd page; if the pack's layout
# changes, change the counts so that both stay covered.
PACKS = {"long": (45, True), "short": (3, False)}


@pytest.fixture(params=list(PACKS))
def full_pack(request, zone_tree, users):
    """A pack with a table over several pages (overdue items) and a wide indicator table."""
    from zoneops.indicators import services as indicator_services
    from zoneops.indicators.models import Indicator, Target

    for index in range(PACKS[request.param][0]):
        core_services.open_case(
            kind="standard",
            zone=zone_tree["park"] if index % 2 else zone_tree["hitech"],
            title=f"光电产业园二期项目用电增容诉求第{index + 1}号",
            acting_user=users["staff"],
            opened_on=dt.date(2025, 8, 1) + dt.timedelta(days=index),
        )
    core_services.tick(on=dt.date(2025, 10, 31))
    zone = zone_tree["hitech"]
    gdp = Indicator.objects.get(code="gdp")
    for year, month, value in [(2024, 10, "9876543.21"), (2025, 10, "10500000.50")]:
        indicator_services.save_value(
            zone=zone,
            indicator=gdp,
            year=year,
            month=month,
            value=Decimal(value),
            acting_user=users["admin"],
        )
    Target.objects.create(zone=zone, indicator=gdp, year=2025, value=Decimal("15000000"))
    pack = services.build_pack(zone=zone, year=2025, month=10, acting_user=users["staff"])
    return services.issue_pack(pack, acting_user=users["staff"])


def check_pack(pack, name: str, tmp_path: Path) -> tuple[list[dict], int]:
    """Issue #20's measurements of a rendered pack; returns its body's pages and the count of
    numbers and dates checked in its tables."""
    pdf = to_pdf(services.render_docx(pack), name, tmp_path)
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    first = reader.pages[0].mediabox
    assert abs(float(first.width) - PAGE_W) < 1 and abs(float(first.height) - PAGE_H) < 1
    copy_to = bool(services.letterhead_of(pack.zone).copy_to)
    found = check_banji(pages(pdf), copy_to=copy_to)
    check_page_numbers(found)

    # Text stays inside the 版心 on portrait pages (the page number aside).
    for index, page in enumerate(found, start=1):
        if page["width"] > page["height"]:
            continue
        _number, (_x0, number_top, _x1, _y1) = page_number_of(page)
        body = [w for w in page["words"] if w[2] < number_top - 1]
        assert body, f"page {index} has nothing but its number"
        assert min(w[1] for w in body) >= LEFT - 1, index
        assert max(w[3] for w in body) <= RIGHT + 1, index
        assert min(w[2] for w in body) >= TOP - 2, index
        assert max(w[4] for w in body) <= BOTTOM + 1, index

    # Page 1: the red 发文机关标志 and the red line, then the 发文字号 and the title.
    words = " ".join(w[0] for w in found[0]["words"])
    assert pack.document_number in words.replace(" ", "")
    from PIL import Image

    image = Image.open(min(ARTIFACTS.glob(f"{name}-*.png"))).convert("RGB")
    width, height = image.size
    top_third = image.crop((0, 0, width, height // 3))
    red = sum(
        1 for r, g, b in top_third.getdata() if r > 200 and g < 90 and b < 90
    )  # the mark's glyphs and the separator line
    assert red > width  # more red pixels than one line across the page
    rest = image.crop((0, height // 2, width, height))
    assert sum(1 for r, g, b in rest.getdata() if r > 200 and g < 90 and b < 90) == 0

    # No table cell breaks a number or a date: each one is one word of the PDF.
    shown_words = {w[0] for page in found for w in page["words"]}
    checked = 0
    for section in services.sections_of(pack):
        if section.table is None:
            continue
        for row in section.table.rows:
            for value in row:
                value = services.typed(value)
                if gongwen._unbreakable(value):
                    assert gongwen.shown(value) in shown_words, gongwen.shown(value)
                    checked += 1
    return found, checked


def test_pack_renders_as_gbt_9704_asks(full_pack, tmp_path, request):
    size = request.node.callspec.id
    found, checked = check_pack(full_pack, f"dispatch-pack-{size}", tmp_path)
    assert len(found) >= 3
    cases, ends_even = PACKS[size]
    assert len(found) % 2 == (0 if ends_even else 1), len(found)
    assert checked > cases
    # The wide indicator table has a landscape page of its own.
    assert any(p["width"] > p["height"] for p in found)


@pytest.mark.django_db
def test_the_pack_of_every_demo_zone_renders_as_gbt_9704_asks(tmp_path):
    """Issue #20 is done when its measurements pass for the pack of every demo zone for the
    latest period (the demo is dated relative to the day it is seeded)."""
    import io

    import time_machine
    from django.core.management import call_command

    from zoneops.core.access.context import acting_as
    from zoneops.core.models import Zone

    tz = dt.timezone(dt.timedelta(hours=8))
    failed = {}
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=tz), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        zones = list(Zone.objects.order_by("path"))
        assert len(zones) >= 5
        for zone in zones:
            with acting_as(None):
                pack = services.build_pack(zone=zone, year=2026, month=11, acting_user=None)
                pack = services.issue_pack(pack, acting_user=None)
            try:
                check_pack(pack, f"demo-{zone.code}", tmp_path)
            except AssertionError as error:
                failed[zone.code] = str(error).splitlines()[0][:200]
    assert not failed, failed


def test_body_text_is_22_lines_of_28_characters(tmp_path):
    text = "高新区坚持项目为王聚焦产业链招商推动重点项目早开工早投产早见效全力冲刺四季度目标" * 8
    head = gongwen.Letterhead(
        issuer_mark="长春高新区管理委员会",
        number="长高新调〔2026〕1号",
        title="关于全力冲刺四季度目标任务的通报",
        recipients="各部门、各园区",
        signature="长春高新区管理委员会",
        date=dt.date(2026, 12, 7),
    )
    blocks = [gongwen.Block("text", text) for _ in range(8)]
    pdf = to_pdf(gongwen.render(head, blocks), "body-grid", tmp_path)
    found = check_banji(pages(pdf), copy_to=False)
    assert len(found) >= 3
    check_page_numbers(found)
    page = found[1]  # a full page of body text
    _number, (_x0, number_top, _x1, _y1) = page_number_of(page)
    body = lines([w for w in page["words"] if w[2] < number_top - 1])
    assert len(body) == 22
    pitch = [b[0][4] - a[0][4] for a, b in zip(body, body[1:], strict=False)]
    assert all(abs(p - 28.95) < 0.6 for p in pitch), pitch  # 225 mm / 22
    counts = [len("".join(w[0] for w in line)) for line in body]
    assert max(counts) == 28
    assert sum(1 for c in counts if c == 28) >= 18, counts  # a paragraph's first line: 26
    full = next(line for line in body if len("".join(w[0] for w in line)) == 28)
    assert abs(full[0][1] - LEFT) < 1.5 and abs(full[-1][3] - RIGHT) < 3


@pytest.mark.parametrize(
    ("count", "body_pages"),
    [
        pytest.param(3, 1, id="body-ends-on-page-1"),
        pytest.param(12, 2, id="body-ends-on-page-2"),  # the 版记 would fit under it
        pytest.param(30, 3, id="body-ends-on-page-3"),
        pytest.param(52, 4, id="body-ends-on-page-4"),
    ],
)
def test_banji_is_alone_at_the_foot_of_the_last_even_page(count, body_pages, tmp_path):
    """GB/T 9704-2012 7.4, 7.5: the 版记 (抄送, 印发机关 and 印发日期) on the last page, an
    even page (封四), its last line on the last line of the 版心. A body ending on an odd page
    has the 版记 on its back; one ending on an even page is followed by a blank page and the
    版记 page; neither of these two carries a page number."""
    head = gongwen.Letterhead(
        issuer_mark="长春高新区管理委员会",
        number="长高新调〔2026〕1号",
        title="关于全力冲刺四季度目标任务的通报",
        recipients="各部门、各园区",
        signature="长春高新区管理委员会",
        date=dt.date(2026, 12, 7),
        copy_to="市发展改革委，市工信局",
        printer="长春高新区管理委员会办公室",
    )
    text = "高新区坚持项目为王聚焦产业链招商推动重点项目早开工早投产早见效全力冲刺四季度目标"
    blocks = [gongwen.Block("text", text[:26]) for _ in range(count)]
    name = f"banji-{body_pages}"
    pdf = to_pdf(gongwen.render(head, blocks), name, tmp_path)
    found = pages(pdf)
    body = check_banji(found)
    assert len(body) == body_pages
    assert len(found) == body_pages + (1 if body_pages % 2 else 2)
    check_page_numbers(body)
    last = lines(found[-1]["words"])
    assert "".join(w[0] for w in last[0]) == "抄送：市发展改革委，市工信局。"
    assert "".join(w[0] for w in last[1]).startswith("长春高新区管理委员会办公室")
    assert "".join(w[0] for w in last[1]).endswith("2026年12月7日印发")
    from PIL import Image

    images = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert len(images) == len(found)
    if len(found) > len(body) + 1:  # the blank page: no ink at all (no page number either)
        blank = Image.open(images[-2]).convert("L")
        assert blank.getextrema()[0] > 250
