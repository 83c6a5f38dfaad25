"""The .docx as GB/T 9704-2012 asks, checked in its XML (the LibreOffice rendering is measured
in test_rendered.py)."""

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from zoneops.reports import gongwen

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def head(**kw):
    values = dict(
        issuer_mark="长春高新区管理委员会",
        number="长高新调〔2026〕12号",
        title="长春高新区调度通报（2026年11月）",
        recipients="各部门、各园区",
        signature="长春高新区管理委员会",
        date=dt.date(2026, 12, 7),
        copy_to="市发展改革委，市工信局",
        printer="长春高新区管理委员会办公室",
    )
    values.update(kw)
    return gongwen.Letterhead(**values)


def render(blocks=()):
    data = gongwen.render(head(), list(blocks))
    return data, Document(io.BytesIO(data))


def part(data: bytes, name: str):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def test_page_is_a4_with_the_standard_margins_and_a_22_by_28_grid():
    data, document = render([gongwen.Block("text", "正文")])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))
    assert 22 * pitch <= Mm(225).twips < 23 * pitch
    char_pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert 28 * char_pitch_pt <= Mm(156).pt < 29 * char_pitch_pt
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)  # 3号
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing.twips == pitch


def test_font_table_names_government_fonts_with_fallbacks():
    data, _document = render()
    fonts = {
        f.get(f"{W}name"): f.find(f"{W}altName").get(f"{W}val")
        for f in part(data, "word/fontTable.xml").iter(f"{W}font")
        if f.find(f"{W}altName") is not None
    }
    assert fonts["仿宋_GB2312"] == "仿宋"
    assert fonts["方正小标宋简体"] in ("华文中宋", "宋体")
    assert "黑体" in fonts and fonts["楷体_GB2312"] == "楷体"


def test_page_numbers_are_dashed_and_on_the_outer_side():
    data, document = render([gongwen.Block("text", "正文")])
    settings = part(data, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"  # the PAGE field's placeholder result
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    assert odd.runs[0].font.size == Pt(14)  # 4号
    for paragraph in (odd, even):
        instructions = [e.text for e in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == [" PAGE "]


def test_letterhead_is_red_with_a_red_line_then_the_title_and_recipients():
    data, document = render([gongwen.Block("text", "正文")])
    texts = [p.text for p in document.paragraphs]
    mark = document.paragraphs[0]
    assert mark.text == "长春高新区管理委员会"
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert mark.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    number = next(p for p in document.paragraphs if p.text == "长高新调〔2026〕12号")
    line = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "FF0000"
    title = next(p for p in document.paragraphs if p.text.startswith("长春高新区调度通报"))
    assert title.alignment == 1 and title.runs[0].font.size == Pt(22)  # 2号, centred
    assert texts.index("各部门、各园区：") > texts.index(title.text)
    assert "2026年12月7日" in texts  # 成文日期 in Arabic numerals, no leading zeros
    # the 版记: in a text box the width of the 版心 at the foot of the 版心 (GB/T 9704 7.4)
    boxes = document.element.body.findall(".//" + qn("w:txbxContent"))
    assert len(boxes) == 1
    box = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in boxes[0].iter(qn("w:p"))]
    assert box[0] == "抄送：市发展改革委，市工信局。"
    assert box[1].startswith("长春高新区管理委员会办公室") and box[1].endswith("2026年12月7日印发")
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    anchor = document.element.body.find(f".//{wp}anchor")
    vertical = anchor.find(f"{wp}positionV")
    assert vertical.get("relativeFrom") == "page"
    height = int(anchor.find(f"{wp}extent").get("cy"))
    bottom = int(vertical.find(f"{wp}posOffset").text) + height
    assert abs(bottom - Mm(297 - 35)) < Mm(0.1)  # its foot on the foot of the 版心
    assert abs(int(anchor.find(f"{wp}extent").get("cx")) - Mm(156)) < Mm(0.1)


def test_banji_has_a_last_section_of_its_own_on_an_even_page_without_page_numbers():
    """GB/T 9704-2012 7.4 and 7.5: the 版记 on the last page, an even one (封四); a word
    processor leaves the page before it blank when the body ends on an even page, and neither
    page is numbered. (Measured as rendered in test_rendered.py.)"""
    data, document = render([gongwen.Block("text", "正文")])
    *body, banji = document.sections
    assert banji.start_type == WD_SECTION.EVEN_PAGE
    assert banji._sectPr.find(qn("w:vAlign")).get(qn("w:val")) == "bottom"
    children = [c.tag.split("}")[1] for c in banji._sectPr]
    assert children.index("vAlign") < children.index("docGrid")  # the schema's order
    for footer in (banji.footer, banji.even_page_footer):
        assert not footer.is_linked_to_previous
        assert footer.paragraphs[0].text == ""
        assert not list(footer._element.iter(qn("w:instrText")))
    assert "PAGE" in body[-1].footer.paragraphs[0]._p.xml  # the body's pages are numbered
    # the section holds the 版记 and nothing else
    paragraphs = list(banji.iter_inner_content())
    texts = ["".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in paragraphs]
    assert len(paragraphs) == 1 and texts[0].startswith("抄送：")
    date = document.paragraphs[-2]  # the body ends with its date, which ends its section
    assert date.text == "2026年12月7日" and date._p.pPr.find(qn("w:sectPr")) is not None


def test_four_heading_levels_with_their_fonts_and_numbers():
    blocks = [
        gongwen.Block("heading", "经济运行", level=1),
        gongwen.Block("heading", "工业", level=2),
        gongwen.Block("heading", "规上工业", level=3),
        gongwen.Block("heading", "新材料", level=4),
        gongwen.Block("heading", "服务业", level=2),
        gongwen.Block("heading", "项目", level=1),
        gongwen.Block("heading", "新建", level=2),
    ]
    _data, document = render(blocks)
    found = {
        p.text: p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
        for p in document.paragraphs
        if p.runs
    }
    assert found["一、经济运行"] == "黑体"
    assert found["（一）工业"] == "楷体_GB2312"
    assert found["1.规上工业"] == "仿宋_GB2312"
    assert found["（1）新材料"] == "仿宋_GB2312"
    assert "（二）服务业" in found and "二、项目" in found
    assert "（一）新建" in found  # lower levels start again under a new 一、
    assert gongwen.chinese_number(11) == "十一" and gongwen.chinese_number(20) == "二十"


def test_tables_keep_numbers_whole_and_repeat_their_header():
    rows = [["光电产业园二期", 123456789.5, dt.date(2026, 10, 4), 3]] * 3
    _data, document = render(
        [gongwen.Block("table", headers=["项目", "总投资（万元）", "截止日期", "超期"], rows=rows)]
    )
    (table,) = document.tables
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    for row in table.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    cells = table.rows[1].cells
    assert cells[1].text == "123,456,789.50" and cells[1].paragraphs[0].alignment == 2
    assert cells[2].text == "2026-10-04"
    for cell in cells[1:]:
        assert cell._tc.tcPr.find(qn("w:noWrap")) is not None
        # wide enough for the number in 12 pt with the cell margins
        assert cell.width.pt >= gongwen.text_width(cell.text, gongwen.TABLE_PT) + 10.8
    assert sum(c.width for c in cells) <= Mm(156) + Mm(0.5)


def test_a_table_too_wide_for_portrait_gets_a_landscape_section():
    headers = [f"指标{i}（万元）" for i in range(11)]
    rows = [[1234567.25] * 11]
    _data, document = render([gongwen.Block("table", headers=headers, rows=rows)])
    orientations = [s.page_width > s.page_height for s in document.sections]
    # the 署名 and 成文日期 under the table on its landscape page, not alone on a portrait page
    # (GB/T 9704-2012 7.3.5), then the 版记's section
    assert orientations == [False, True, False]
    closing = [p.text for p in document.sections[1].iter_inner_content() if hasattr(p, "text")]
    assert closing[-2:] == ["长春高新区管理委员会", "2026年12月7日"]
    landscape = document.sections[1]
    assert (round(landscape.page_width.mm), round(landscape.page_height.mm)) == (297, 210)


def test_a_landscape_table_takes_its_heading_along_and_the_body_goes_on_in_portrait():
    wide = gongwen.Block(
        "table", headers=[f"指标{i}（万元）" for i in range(11)], rows=[[1234567.25] * 11]
    )
    blocks = [
        gongwen.Block("heading", "经济运行", level=1),
        gongwen.Block("text", "说明一"),
        gongwen.Block("heading", "逾期事项", level=1),
        gongwen.Block("text", "3 项闭环事项已超过办理时限。"),
        wide,
        wide,  # a second wide table goes on on the same landscape pages
        gongwen.Block("heading", "其他", level=1),
        *[gongwen.Block("text", f"正文{i}") for i in range(gongwen.LANDSCAPE_TEXT)],
    ]
    _data, document = render(blocks)
    sections = document.sections
    assert [s.page_width > s.page_height for s in sections] == [False, True, False, False]

    def content(section):
        return [
            "table" if not hasattr(item, "text") else item.text
            for item in section.iter_inner_content()
        ]

    # the portrait section ends with the text before the heading, no empty line after it
    assert content(sections[0])[-1] == "说明一"
    # the heading and its lead-in on the landscape page with the tables
    assert content(sections[1]) == [
        "二、逾期事项",
        "3 项闭环事项已超过办理时限。",
        "table",
        "table",
        "",  # ends the section after a table: one point high
    ]
    end = sections[1].iter_inner_content()
    *_rest, last = end
    assert last._p.pPr.find(qn("w:spacing")).get(qn("w:line")) == "20"
    assert content(sections[2])[:2] == ["三、其他", "正文0"]
    assert content(sections[2])[-1] == "2026年12月7日"

    # a heading and a paragraph after the landscape table, and the 署名, stay on its pages
    _data, document = render([*blocks[:7], gongwen.Block("text", "正文")])
    sections = document.sections
    assert [s.page_width > s.page_height for s in sections] == [False, True, False]
    assert content(sections[1])[-6:] == [
        "三、其他",
        "正文",
        "",
        "",
        "长春高新区管理委员会",
        "2026年12月7日",
    ]

    # a little text between two landscape tables stays on their pages
    between = [gongwen.Block("heading", "其他", level=1), gongwen.Block("text", "正文")] * 2
    _data, document = render([*blocks[:5], *between, wide])
    orientations = [s.page_width > s.page_height for s in document.sections]
    assert orientations == [False, True, False]


def test_a_heading_right_under_the_letterhead_stays_on_the_first_page():
    """Moved with its landscape table it would leave the first page with the 版头 only."""
    wide = gongwen.Block(
        "table", headers=[f"指标{i}（万元）" for i in range(11)], rows=[[1234567.25] * 11]
    )
    blocks = [gongwen.Block("heading", "经济运行", level=1), gongwen.Block("text", "说明"), wide]
    _data, document = render(blocks)
    first = [p.text for p in document.sections[0].iter_inner_content()]
    assert first[-2:] == ["一、经济运行", "说明"]
    assert document.sections[1].page_width > document.sections[1].page_height


def test_the_closing_sentence_and_the_body_end_keep_with_the_signature_and_date():
    """GB/T 9704-2012 7.3.5: the 署名 and 成文日期 are not left alone on a page; the end of the
    body goes with them (keep with next through the blank lines to the date)."""
    table = gongwen.Block("table", headers=["项目", "金额（万元）"], rows=[["甲", 1.5], ["乙", 2]])
    document = Document(io.BytesIO(gongwen.render(head(ending="特此通报。"), [table])))
    texts = [p.text for p in document.paragraphs]
    end = texts.index("特此通报。")
    assert texts[end : end + 5] == ["特此通报。", "", "", "长春高新区管理委员会", "2026年12月7日"]
    chain = document.paragraphs[end : end + 5]
    assert [p.paragraph_format.keep_with_next for p in chain] == [True] * 4 + [None]
    assert chain[0].paragraph_format.first_line_indent == Pt(32)  # a paragraph of the body
    # without a closing sentence the table's last row goes with them (Word; LibreOffice only
    # while the table has not run onto a second page)
    document = Document(io.BytesIO(gongwen.render(head(), [table])))
    last_row = document.tables[0].rows[-1]
    assert all(p.paragraph_format.keep_with_next for c in last_row.cells for p in c.paragraphs)


def test_a_long_copy_to_grows_the_banji_upward_from_the_foot_of_the_page():
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    heights = {}
    for name, copy_to in (("short", "市发展改革委"), ("long", "市发展改革委，市工信局" * 6)):
        document = Document(io.BytesIO(gongwen.render(head(copy_to=copy_to), [])))
        anchor = document.element.body.find(f".//{wp}anchor")
        height = int(anchor.find(f"{wp}extent").get("cy"))
        top = int(anchor.find(f"{wp}positionV").find(f"{wp}posOffset").text)
        assert abs(top + height - Mm(297 - 35)) < Mm(0.1)  # the foot stays on the 版心's
        heights[name] = height
    pitch = Mm(225) / 22
    assert heights["short"] < 3 * pitch < 4 * pitch < heights["long"]  # 2 lines; 2 + 2 or more
