"""A .docx laid out as GB/T 9704-2012 (党政机关公文格式) asks.

The page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm);
body 3号仿宋 (16 pt) on a document grid of 22 lines × 28 characters; page numbers 4号 半角
"— 1 —" below the 版心 on the outer side (odd pages right, even pages left). The 版头: red
发文机关标志, 发文字号, red separator line; the title in 2号小标宋; 主送机关; headings in the
four levels 一、（一）1.（1）; 成文日期 in Arabic numerals; the 版记 (抄送, 印发机关 and 印发日期)
alone at the foot of the last page, an even page (封四), unnumbered (GongwenWriter._banji_section).

Government PCs have 仿宋_GB2312, 方正小标宋简体, 黑体 and 楷体_GB2312; the font table names a
fallback for each (altName), and LibreOffice on a server substitutes free CJK fonts.
"""

import datetime as dt
import decimal
import io
import math
import re
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from lxml import etree

# Geometry (GB/T 9704-2012 5.2.1, 5.2.2, 7.1)
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小四: tables are read at a meeting table
RED = "FF0000"

TWIPS_PER_MM = 1440 / 25.4
TEXT_WIDTH_TWIPS = TEXT_WIDTH_MM * TWIPS_PER_MM
# The grid: a line every 225 mm / 22 (rounded down so that 22 fit), a character every
# 156 mm / 28; charSpace is the difference from the body font size in 1/4096 pt.
LINE_PITCH = int(TEXT_HEIGHT_MM * TWIPS_PER_MM / LINES_PER_PAGE)  # 579 twips = 28.95 pt
CHAR_PITCH_PT = TEXT_WIDTH_TWIPS / CHARS_PER_LINE / 20
CHAR_SPACE = int((CHAR_PITCH_PT - BODY_PT) * 4096) - 1  # -849
# -6: 0.3 pt per character, 28 × 15.7 pt = 439.6 pt (LibreOffice wants about a point to spare)
CONDENSE_TWENTIETHS = int((CHAR_PITCH_PT - BODY_PT) * 20) - 2

# Fonts a government PC has, and what to use where it has not.
FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = (
    "仿宋_GB2312",
    "方正小标宋简体",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
FONT_FALLBACKS = {
    FANGSONG: ("仿宋", "FangSong"),
    XIAOBIAOSONG: ("华文中宋", "宋体"),
    HEITI: ("SimHei", "Microsoft YaHei"),
    KAITI: ("楷体", "KaiTi"),
    SONGTI: ("SimSun", "NSimSun"),
}
LATIN = "Times New Roman"

# The four heading levels (GB/T 9704-2012 7.3.3): 一、 （一） 1. （1）
HEADING_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}
CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (n from 1 to 99)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_NUMERALS[tens - 1] if tens > 1 else "")
        + "十"
        + (CHINESE_NUMERALS[ones - 1] if ones else "")
    )


def heading_label(level: int, n: int) -> str:
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, no leading zeros: 2026年12月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Letterhead:
    """The 版头 and 版记 of one document."""

    issuer_mark: str  # 发文机关标志, e.g. 长春高新区管理委员会
    number: str  # 发文字号, e.g. 长高新调〔2026〕12号 (a preview shows the prefix only)
    title: str
    recipients: str  # 主送机关
    signature: str  # 发文机关署名
    date: dt.date  # 成文日期
    copy_to: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    print_date: dt.date | None = None
    ending: str = ""  # the body's closing sentence, e.g. 特此通报。


@dataclass
class Block:
    """What the body is made of: a heading (level 1–4), a paragraph or a table."""

    kind: str  # "heading", "text", "table"
    text: str = ""
    level: int = 0
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)


# --- values in tables ---------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def shown(value) -> str:
    """A cell as the reader sees it: 1,500,000; 7.14; 2025-09-15; — for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | decimal.Decimal):
        text = f"{value:,.2f}"
        return text[:-3] if text.endswith(".00") else text
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text_width(text: str, size_pt: float) -> float:
    """Width in points: CJK and full-width characters one em, others half."""
    return sum(size_pt if ord(ch) > 0x2E7F else size_pt * 0.65 for ch in text)


def _unbreakable(value) -> bool:
    """Numbers and dates must stay on one line."""
    return (
        is_number(value)
        or isinstance(value, dt.date)
        or (isinstance(value, str) and bool(ISO_DATE.match(value)))
    )


# --- raw OOXML helpers ----------------------------------------------------------------------


def _set(parent, tag: str, **attrs):
    """The child ``tag`` of ``parent`` (made if missing) with ``attrs`` set (w: namespace)."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        parent.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def _fonts(rpr, east_asia: str, latin: str = LATIN):
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key, value in (
        ("ascii", latin),
        ("hAnsi", latin),
        ("eastAsia", east_asia),
        ("cs", latin),
    ):
        fonts.set(qn(f"w:{key}"), value)


def style_run(run, font: str, size_pt: float, *, bold=False, color: str | None = None):
    run.font.size = Pt(size_pt)
    run.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _fonts(run._element.get_or_add_rPr(), font, LATIN if font != XIAOBIAOSONG else font)


def _border(ppr, side: str, *, size_eighths: int, color: str, space_pt: int = 0):
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", size_eighths), ("space", space_pt)):
        edge.set(qn(f"w:{key}"), str(value))
    edge.set(qn("w:color"), color)
    borders.append(edge)


FOOT_BOX = """<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="0"
 locked="1" layoutInCell="1" allowOverlap="0">
<wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>
<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>
<wp:wrapTopAndBottom/><wp:docPr id="{id}" name="版记"/><wp:cNvGraphicFramePr/>
<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
<wps:wsp><wps:cNvSpPr txBox="1"/>
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>
<wps:txbx><w:txbxContent/></wps:txbx>
<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b">
<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"""


def _foot_box(paragraphs, *, height_twips: int):
    """A text box the width of the 版心 at the foot of its page's 版心, holding ``paragraphs``
    (moved out of the body); the body keeps clear of it (wrap top and bottom).

    Placed from the top of the paper rather than at the bottom of the margin: LibreOffice
    lays the body of a section that starts on an even page lower than that of the others."""
    from docx.oxml import parse_xml

    emu_per_twip = 635
    height = round((height_twips + 60) * emu_per_twip)
    drawing = parse_xml(
        FOOT_BOX.format(
            cx=round(TEXT_WIDTH_TWIPS * emu_per_twip),
            cy=height,
            y=int(Mm(PAGE_HEIGHT_MM - MARGIN_BOTTOM_MM)) - height,
            id=9704,
        )
    )
    content = drawing.find(".//" + qn("w:txbxContent"))
    for p in paragraphs:
        content.append(p)  # lxml moves the element
    return drawing


def _exact_line(height) -> OxmlElement:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:line"), str(int(height.twips)))
    spacing.set(qn("w:lineRule"), "exact")
    return spacing


def _field(paragraph, instruction: str, font: str, size_pt: float):
    """A field such as PAGE, its result computed by the reader's word processor."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        style_run(run, font, size_pt)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)
    run = paragraph.add_run("1")
    style_run(run, font, size_pt)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._element.append(end)


# what follows w:vAlign in a w:sectPr (ECMA-376 Part 1, 17.6.17)
AFTER_V_ALIGN = {
    qn(f"w:{tag}")
    for tag in (
        "noEndnote",
        "titlePg",
        "textDirection",
        "bidi",
        "rtlGutter",
        "docGrid",
        "printerSettings",
        "sectPrChange",
    )
}


# --- the document ---------------------------------------------------------------------------


class GongwenWriter:
    def __init__(self):
        self.document = Document()
        self._setup_styles()
        self._setup_font_table()
        self.document.settings.odd_and_even_pages_header_footer = True
        self._portrait(self.document.sections[0])
        self._page_numbers(self.document.sections[0])
        self.counters = [0, 0, 0, 0]
        # the last heading and the text under it (up to LEAD_IN_TEXTS paragraphs): they go
        # with a table onto its landscape page
        self._lead_in: list = []
        self._in_landscape = False  # the section is landscape (a table's)
        self._after: list = []  # blocks written after the landscape table, still on its pages
        self._blocks = 0  # blocks of the body in the section (a portrait one) so far

    # set-up

    def _setup_styles(self):
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        _fonts(normal.element.get_or_add_rPr(), FANGSONG)
        # 28 characters of 16 pt are 448 pt, the 版心 is 442 pt wide: the grid (charSpace)
        # squeezes them in Word; LibreOffice puts a character wider than its grid cell in two
        # cells, so the characters are condensed to fit one cell (15.7 pt < 15.79 pt).
        _set(normal.element.get_or_add_rPr(), "w:spacing", val=CONDENSE_TWENTIETHS)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(LINE_PITCH)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.widow_control = False  # the grid counts 22 lines on every full page
        # Paragraphs keep the grid's geometry by themselves (exact 28.95 pt lines, condensed
        # characters) rather than snapping: LibreOffice's character grid lays a 16 pt
        # character into two 15.79 pt cells and breaks lines after 14 characters.
        _set(normal.element.get_or_add_pPr(), "w:snapToGrid", val="0")
        # the document defaults too: a new paragraph of any style starts as the body
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                _fonts(rpr, FANGSONG)
                _set(rpr, "w:sz", val=BODY_PT * 2)
                _set(rpr, "w:szCs", val=BODY_PT * 2)

    def _setup_font_table(self):
        parts = self.document.part.package.iter_parts()
        part = next(p for p in parts if p.partname == "/word/fontTable.xml")
        root = etree.fromstring(part.blob)
        names = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
        for name, (alt, *_rest) in FONT_FALLBACKS.items():
            if name in names:
                continue
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _grid(self, section, text_width_twips: float):
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        pitch = text_width_twips / CHARS_PER_LINE / 20
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH))
        grid.set(qn("w:charSpace"), str(int((pitch - BODY_PT) * 4096) - 1))

    def _portrait(self, section):
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        section.header_distance = Mm(15)
        # the page number's lower edge 7 mm below the 版心 (GB/T 9704-2012 7.5)
        section.footer_distance = Mm(MARGIN_BOTTOM_MM - 7 - 6)
        self._grid(section, TEXT_WIDTH_TWIPS)

    def _landscape(self, section):
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
        # the portrait page turned: the 版心 keeps its margins on the same paper edges
        section.top_margin, section.bottom_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        section.left_margin, section.right_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        section.footer_distance = Mm(MARGIN_RIGHT_MM - 7 - 6)
        self._grid(section, (PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM) * TWIPS_PER_MM)

    def _page_numbers(self, section):
        """— 1 — in 4号 宋体, odd pages right and even pages left, one character in."""
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = alignment
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                fmt.left_indent = Pt(PAGE_NUMBER_PT)
            style_run(paragraph.add_run("— "), SONGTI, PAGE_NUMBER_PT)
            _field(paragraph, "PAGE", SONGTI, PAGE_NUMBER_PT)
            style_run(paragraph.add_run(" —"), SONGTI, PAGE_NUMBER_PT)

    # paragraphs

    def paragraph(self, text: str = "", *, font=FANGSONG, size=BODY_PT, indent=True, **kw):
        paragraph = self.document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        if text:
            style_run(paragraph.add_run(text), font, size, **kw)
        return paragraph

    def blank(self, lines: int = 1):
        for _ in range(lines):
            self.paragraph(indent=False)

    def text(self, text: str):
        """A paragraph of the body."""
        paragraph = self.paragraph(text)
        self._block(paragraph._p)
        if self._lead_in and len(self._lead_in) <= LEAD_IN_TEXTS:
            self._lead_in.append(paragraph._p)
        else:
            self._lead_in = []
        return paragraph

    def heading(self, level: int, text: str):
        """一、 黑体; （一） 楷体; 1. and （1） 仿宋 — numbered here, lower levels restart."""
        self.counters[level - 1] += 1
        for lower in range(level, 4):
            self.counters[lower] = 0
        label = heading_label(level, self.counters[level - 1])
        paragraph = self.paragraph()
        paragraph.paragraph_format.keep_with_next = True
        style_run(paragraph.add_run(label + text), HEADING_FONTS[level], BODY_PT)
        self._block(paragraph._p)
        self._lead_in = [paragraph._p]
        return paragraph

    def _block(self, element):
        self._blocks += 1
        if self._in_landscape:
            self._after.append(element)

    # 版头, title, 主送

    def letterhead(self, head: Letterhead):
        mark = self.paragraph(indent=False)
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # the mark's upper edge 35 mm below the 版心's (GB/T 9704-2012 7.2.3)
        mark.paragraph_format.space_before = Mm(35)
        mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        size = min(36, TEXT_WIDTH_MM / 25.4 * 72 / max(len(head.issuer_mark), 1) * 0.95)
        style_run(mark.add_run(head.issuer_mark), XIAOBIAOSONG, size, color=RED)
        self.blank(1)
        number = self.paragraph(indent=False)
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style_run(number.add_run(head.number), FANGSONG, BODY_PT)
        # the red separator line, as wide as the 版心, 4 mm below the 发文字号
        _border(number._p.get_or_add_pPr(), "bottom", size_eighths=12, color=RED, space_pt=11)
        self.blank(2)
        title = self.paragraph(indent=False)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
        style_run(title.add_run(head.title), XIAOBIAOSONG, TITLE_PT)
        self.blank(1)
        if head.recipients:
            self.paragraph(head.recipients + "：", indent=False)

    def closing(self, head: Letterhead):
        """署名 and 成文日期 (右空四字), then the 版记.

        After a table on landscape pages the closing sentence, 署名 and 成文日期 stay on its
        last page, with up to LANDSCAPE_TEXT headings and paragraphs after the table: on a
        portrait page of their own they would be apart from the body (GB/T 9704-2012 7.3.5);
        a longer text goes back to portrait pages. LibreOffice does not always keep a table's
        last row with the paragraph after it (not when the row is on the table's second page
        or later), so a body ending on a table needs the closing sentence to take to the next
        page with them."""
        if len(self._after) > LANDSCAPE_TEXT:
            self._back_to_portrait()
        if head.ending:
            self.paragraph(head.ending)
        # the end of the body (its last paragraph, or its last table's last row) goes onto the
        # next page with them rather than leave them alone there (GB/T 9704-2012 7.3.5)
        body = self.document.element.body
        last = body[-2] if body[-1].tag == qn("w:sectPr") else body[-1]
        if last.tag == qn("w:tbl"):
            last = last.findall(qn("w:tr"))[-1]
        for p in last.iter(qn("w:p")) if last.tag != qn("w:p") else [last]:
            Paragraph(p, None).paragraph_format.keep_with_next = True
        for _ in range(2):
            self.paragraph(indent=False).paragraph_format.keep_with_next = True
        signature = self.paragraph(head.signature, indent=False)
        signature.paragraph_format.keep_with_next = True
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signature.paragraph_format.right_indent = Pt(BODY_PT * 2)
        date = self.paragraph(chinese_date(head.date), indent=False)
        date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        date.paragraph_format.right_indent = Pt(BODY_PT * 4)
        # 版记: 4号仿宋 between lines (first and last thicker), 抄送 then 印发机关 and 日期, in a
        # text box as wide as the 版心 at its foot on the last page (GB/T 9704-2012 7.4)
        rows = []
        if head.copy_to:
            rows.append(("抄送：" + head.copy_to + "。", ""))
        rows.append((head.printer, chinese_date(head.print_date or head.date) + "印发"))
        paragraphs = []
        for index, (left, right) in enumerate(rows):
            paragraph = self.paragraph(indent=False)
            fmt = paragraph.paragraph_format
            fmt.left_indent, fmt.right_indent = Pt(PAGE_NUMBER_PT), Pt(PAGE_NUMBER_PT)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Twips(LINE_PITCH)
            ppr = paragraph._p.get_or_add_pPr()
            if index == 0:
                _border(ppr, "top", size_eighths=8, color="000000", space_pt=2)
            _border(ppr, "bottom", size_eighths=8 if index == len(rows) - 1 else 4, color="000000")
            if right:
                tabs = paragraph.paragraph_format.tab_stops
                tabs.add_tab_stop(
                    Mm(TEXT_WIDTH_MM) - Pt(PAGE_NUMBER_PT * 2),
                    WD_TAB_ALIGNMENT.RIGHT,
                )
                left = f"{left}\t{right}"
            style_run(paragraph.add_run(left), FANGSONG, PAGE_NUMBER_PT)
            paragraphs.append(paragraph._p)
        # a long 抄送 takes more than a line: the box grows upward from the foot of the 版心
        width = TEXT_WIDTH_MM / 25.4 * 72 - 2 * PAGE_NUMBER_PT
        lines = sum(
            math.ceil(text_width(left + "　" * 2 + right, PAGE_NUMBER_PT) / width)
            for left, right in rows
        )
        box = _foot_box(paragraphs, height_twips=lines * LINE_PITCH)  # out of the body
        self._banji_section(date)
        anchor = self.paragraph(indent=False)
        anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        anchor.paragraph_format.line_spacing = Pt(1)
        run = anchor.add_run()
        style_run(run, FANGSONG, PAGE_NUMBER_PT)
        run._r.append(box)

    def _banji_section(self, last):
        """The 版记 gets a section of its own starting on the next even page (封四), its text at
        the foot of the page, no page number (GB/T 9704-2012 7.4, 7.5).

        The section starts with a w:type evenPage break ("begins the new section on the next
        even-numbered page, leaving the next odd page blank if necessary", ECMA-376 17.18.77)
        and has w:vAlign bottom; its footers are empty. A body ending on an odd page: the
        版记 on the (even) page after it. A body ending on an even page: the word processor
        leaves the next (odd) page blank, with no header or footer, and prints the 版记 on the
        even page after; neither page carries a number, as 7.5 asks for a blank page before
        the 版记 page.

        Chosen, not forced: when the body ends on an even page with room under it, the 版记
        would fit there and a sheet is spent on a blank page. A .docx cannot say "on this page
        if it is even and the 版记 fits" (and LibreOffice does not evaluate a nested IF/PAGEREF
        field in a footer), and deciding it here would mean laying the document out in Python.
        The 版记 alone on its page is unnumbered in both cases (7.5 names only the case with a
        blank page before it).
        """
        section = self._section(WD_SECTION.EVEN_PAGE, landscape=False)
        assert last._p.pPr.find(qn("w:sectPr")) is not None  # the body ends with the date
        sect_pr = section._sectPr
        v_align = sect_pr.find(qn("w:vAlign"))
        if v_align is None:
            v_align = OxmlElement("w:vAlign")
            following = next((c for c in sect_pr if c.tag in AFTER_V_ALIGN), None)
            if following is None:
                sect_pr.append(v_align)
            else:
                following.addprevious(v_align)
        v_align.set(qn("w:val"), "bottom")
        for footer in (section.footer, section.even_page_footer):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            style_run(paragraph.add_run(), SONGTI, PAGE_NUMBER_PT)

    # tables

    def table(self, headers: list[str], rows: list[list]):
        """Numbers right-aligned and never broken, header row repeated, rows kept whole.

        Column widths follow the content; a table wider than the portrait 版心 gets a
        landscape section of its own.
        """
        portrait_pt = TEXT_WIDTH_MM / 25.4 * 72
        landscape_pt = (PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM) / 25.4 * 72
        need, want = _column_widths(headers, rows, TABLE_PT)
        landscape = sum(need) > portrait_pt or sum(want) > portrait_pt * 1.6
        available = landscape_pt if landscape else portrait_pt
        size = TABLE_PT
        # 小四 if it fits, else 五号, else 小五: numbers stay whole, text columns keep a few
        # characters
        for size in TABLE_SIZES:
            need, want = _column_widths(headers, rows, size)
            if sum(need) <= available:
                break
        if not (landscape and self._in_landscape and len(self._after) <= LANDSCAPE_TEXT):
            # (a little text between two landscape tables stays on their pages rather than
            # take a portrait page of its own)
            self._back_to_portrait()
            if landscape:
                # the heading goes with its table, unless nothing of the body would be left
                # on the portrait page (only the 版头, or nothing: a blank page)
                lead_in = self._lead_in if self._blocks > len(self._lead_in) else None
                self._section(WD_SECTION.NEW_PAGE, landscape=True, starting=lead_in)
        self._lead_in, self._after = [], []
        self._blocks += 1
        widths = _fit(need, want, available)
        self._size = size
        columns = len(headers)

        table = self.document.add_table(rows=1, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        _set(tbl_pr, "w:tblLayout", type="fixed")
        _set(tbl_pr, "w:tblW", w=int(sum(widths) * 20), type="dxa")
        grid = table._tbl.tblGrid
        for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(int(width * 20)))
        numeric = [
            any(is_number(r[i]) for r in rows if i < len(r))
            and all(is_number(r[i]) or r[i] in (None, "", "—") for r in rows if i < len(r))
            for i in range(columns)
        ]
        self._table_row(table.rows[0], headers, widths, numeric, header=True)
        for values in rows:
            self._table_row(table.add_row(), list(values), widths, numeric, header=False)
        # what follows stays on the landscape pages until _back_to_portrait
        self._in_landscape = landscape
        return table

    def _table_row(self, row, values, widths, numeric, *, header: bool):
        tr_pr = row._tr.get_or_add_trPr()
        _set(tr_pr, "w:cantSplit")
        if header:
            _set(tr_pr, "w:tblHeader")
        for i, cell in enumerate(row.cells):
            value = values[i] if i < len(values) else None
            cell.width = Emu(int(Pt(widths[i])))
            tc_pr = cell._tc.get_or_add_tcPr()
            if not header and _unbreakable(value):
                _set(tc_pr, "w:noWrap")
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            _set(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val="0")
            if header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif numeric[i]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            style_run(paragraph.add_run(shown(value)), HEITI if header else FANGSONG, self._size)

    def _back_to_portrait(self):
        """Portrait pages again from the first block after the landscape table."""
        if self._in_landscape:
            self._in_landscape = False
            self._blocks = len(self._after)
            self._section(WD_SECTION.NEW_PAGE, landscape=False, starting=self._after)
            self._after = []

    def _section(self, start, *, landscape: bool, starting: list | None = None):
        """A new section from ``starting`` (body elements written already) or from what is
        written next.

        The section before ends with the paragraph before it where there is one (rather than
        with an empty paragraph of its own, which takes a line and may spill onto a page of
        its own); after a table, with a paragraph one point high."""
        section = self.document.add_section(start)
        if landscape:
            self._landscape(section)
        else:
            self._portrait(section)
        breaker = section._sectPr.getprevious()  # python-docx's empty paragraph
        first = starting[0] if starting else breaker
        before = first.getprevious()
        if (
            before is not None
            and before.tag == qn("w:p")
            and before.find(qn("w:pPr") + "/" + qn("w:sectPr")) is None
        ):
            sect_pr = breaker.find(qn("w:pPr") + "/" + qn("w:sectPr"))
            ppr = before.find(qn("w:pPr"))
            if ppr is None:
                ppr = OxmlElement("w:pPr")
                before.insert(0, ppr)
            ppr.append(sect_pr)
            breaker.getparent().remove(breaker)
        else:
            if starting:
                first.addprevious(breaker)
            ppr = breaker.find(qn("w:pPr"))
            ppr.insert(0, _exact_line(Pt(1)))
        return section

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


TABLE_SIZES = (12, 10.5, 9)  # 小四, 五号, 小五
# paragraphs under a heading that go with it onto a landscape table's pages
LEAD_IN_TEXTS = 2
# headings and paragraphs after a landscape table that stay on its pages (before the next
# landscape table or the 署名); more go back to portrait pages
LANDSCAPE_TEXT = 6
CELL_PAD = 2 * 5.4 + 3  # cell margins (Word and LibreOffice: 5.4 pt a side) and a little air


def _column_widths(headers, rows, size: float) -> tuple[list[float], list[float]]:
    """(what each column needs, what it would like) in pt at font ``size``: a number or date
    needs its whole width, text and headers may wrap but keep up to four characters."""
    columns = len(headers)
    need, want = [0.0] * columns, [0.0] * columns
    for i, header in enumerate(headers):
        need[i] = size * min(4, len(str(header))) + CELL_PAD
        want[i] = text_width(str(header), size) + CELL_PAD
    for row in rows:
        for i, value in enumerate(row[:columns]):
            text = shown(value)
            width = text_width(text, size) + CELL_PAD
            want[i] = max(want[i], width)
            if _unbreakable(value):
                need[i] = max(need[i], width)
            else:
                need[i] = max(need[i], size * min(4, len(text)) + CELL_PAD)
    return need, want


def _fit(need: list[float], want: list[float], available: float) -> list[float]:
    """Widths (pt) giving every column what it needs, the rest in proportion to its wish."""
    total_need = sum(need)
    if total_need >= available:
        return [available * n / total_need for n in need]
    if sum(want) <= available:
        spare = available - sum(want)
        return [w + spare * w / sum(want) for w in want]
    extra = [w - n for w, n in zip(want, need, strict=True)]
    spare = available - total_need
    return [n + spare * e / sum(extra) for n, e in zip(need, extra, strict=True)]


def render(head: Letterhead, blocks: list[Block]) -> bytes:
    writer = GongwenWriter()
    writer.letterhead(head)
    for block in blocks:
        if block.kind == "heading":
            writer.heading(block.level, block.text)
        elif block.kind == "table":
            writer.table(block.headers, block.rows)
        else:
            writer.text(block.text)
    writer.closing(head)
    return writer.save()
