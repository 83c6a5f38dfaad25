"""The reading pipeline piece by piece: formats, clutter, numerals, periods, cues, lists."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from zoneops.intake import clutter, evaluation, period, reading
from zoneops.intake.extract import read_article
from zoneops.intake.numerals import cn_to_number, to_number


def figures(text, **kwargs):
    article = read_article(text, **kwargs)
    return [s.as_dict() for s in article.statements]


def one(text, **kwargs):
    found = figures(text, **kwargs)
    assert len(found) == 1, found
    return found[0]


# Formats ---------------------------------------------------------------------------------------


def test_reads_utf8_gb18030_and_big5_text():
    text = "今年計劃實施項目40個。"
    for encoding in ("utf-8", "gb18030", "big5"):
        assert reading.read_bytes("a.txt", text.encode(encoding)) == text


def test_reads_docx_paragraphs_and_tables():
    import docx

    document = docx.Document()
    document.add_paragraph("今年计划实施项目40个。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "到位资金"
    table.rows[0].cells[1].text = "116亿元"
    buffer = io.BytesIO()
    document.save(buffer)
    text = reading.read_bytes("report.docx", buffer.getvalue())
    assert "项目40个" in text and "116亿元" in text


def test_reads_html_without_navigation_scripts_or_footer():
    html = (
        "<html><head><script>var x = '99个';</script><style>p{}</style></head><body>"
        "<nav>首页 | 新闻 10个频道</nav><p>今年计划实施项目40个。</p>"
        "<footer>版权所有 电话0431-88600010</footer></body></html>"
    )
    text = reading.read_bytes("page.html", html.encode())
    assert text == "今年计划实施项目40个。"


def _pdf(line: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF".encode()
    return out


def test_reads_pdf_text():
    assert "Revenue 35" in reading.read_bytes("report.pdf", _pdf("Revenue 35"))


def test_rejects_unknown_and_broken_files():
    with pytest.raises(reading.UnsupportedFile):
        reading.read_bytes("sheet.xls", b"x")
    with pytest.raises(reading.UnsupportedFile):
        reading.read_bytes("broken.docx", b"not a zip")


# Clutter ---------------------------------------------------------------------------------------


def test_clutter_converts_traditional_and_drops_furniture():
    page = (
        "人民網\n人民網>>吉林頻道\n2022年10月12日10:00 | 來源:人民網\n小字號\n分享到\n"
        "經開區今年新增項(xiàng)目88個。\n(責編:馬俊華)\n返回頂部\n"
        "關於我們|廣告服務|聯繫我們\n反侵權公告:\n程律師(法律顧問)0432-62223777\n"
    )
    cleaned = clutter.clean(page)
    assert cleaned.text == "经开区今年新增项目88个。"
    assert cleaned.date == dt.date(2022, 10, 12)


def test_phone_numbers_are_removed_inside_lines():
    assert "88601901" not in clutter.clean("欢迎来电0431-88601901咨询。").text


# Numerals and units ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("百", 100), ("十", 10), ("一百九十", 190), ("两", 2), ("四十二点九", Decimal("42.9"))],
)
def test_chinese_numerals(text, value):
    assert cn_to_number(text) == value


def test_arabic_numbers_with_thousands_separators():
    assert to_number("1,234.5") == Decimal("1234.5")


def test_money_is_normalised_to_wanyuan():
    assert one("全年完成固定资产投资12.5亿元。")["value"] == 125000
    assert one("全年完成固定资产投资8000万元。")["value"] == 8000
    assert one("近百亿元的项目总投资已落实。")["value"] == 1000000


def test_qualifiers_ranges_and_counts_in_wan():
    assert one("总投资约225亿元。")["qualifier"] == "约"
    assert one("在孵企业超百户。")["qualifier"] == "超"
    assert one("专利技术50项以上。")["qualifier"] == "以上"
    assert one("业务覆盖190多个国家。")["qualifier"] == "超"
    ranged = one("计划引进项目3至5个。")
    assert (ranged["value"], ranged["value_max"]) == (3, 5)
    assert (one("生产3万台轻型车。")["value"], one("生产3万台轻型车。")["unit"]) == (30000, "台")
    assert one("常住人口42.9万人。")["unit"] == "万人"


def test_dates_durations_sizes_slogans_and_thresholds_are_not_figures():
    text = (
        "11月10日召开会议,实施“2+5+10”总策略,把握五个原则、实施十大工程,"
        "大干60天,建设8英寸芯片项目,质量上实现“三个五”,出台7.0版方案,"
        "推进“保障有力、高效便利”2个建设工程,全年推进实施5000万元以上项目36个。"
    )
    found = figures(text)
    assert [(x["value"], x["unit"]) for x in found] == [(36, "个")]


# Growth, kinds, periods ---------------------------------------------------------------------


def test_growth_attaches_to_the_value_before_it():
    found = one("年度计划投资35亿元,增长10%。")
    assert (found["value"], found["growth_pct"]) == (350000, 10)


def test_growth_with_its_own_measure_stays_separate():
    found = figures("今年88个项目全部开工,预计全年固投增长10%以上。", date=dt.date(2022, 10, 1))
    assert [(x["value"], x["growth_pct"]) for x in found] == [(88, None), (None, 10)]
    assert found[1]["kind"] == "estimate"


def test_growth_only_statement():
    found = one("一季度规上工业总产值同比增长23.5%。", date=dt.date(2024, 4, 20))
    assert (found["value"], found["unit"], found["growth_pct"]) == (None, None, 23.5)
    assert found["indicator"] == "industrial_output_above_scale"
    assert found["period"] == "2024Q1"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("力争年内签约落地项目30个。", "target"),
        ("确保完成到位资金116亿元。", "target"),
        ("预计全年实现营业收入20亿元。", "estimate"),
        ("目前拥有高新技术企业631家。", "actual"),
        ("今年以来共实施项目108个。", "actual"),
        ("已初步筛选出50个团队。", "actual"),
        ("2021年服务业增加值实现469亿元。", "actual"),
    ],
)
def test_target_or_actual(text, kind):
    assert one(text, date=dt.date(2022, 10, 12))["kind"] == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # A goal stays a goal when a neutral verb follows its cue.
        ("力争全年实现规上工业总产值200亿元。", "target"),
        ("预期目标是实现技工贸总收入增长30%。", "target"),
        ("确保完成固定资产投资120亿元以上。", "target"),
        ("计划实现签约项目40个。", "target"),
        # The office's estimate, even of a year already over.
        ("2023年,全区预计完成地区生产总值992亿元。", "estimate"),
        ("全年地区生产总值预计完成531.48亿元。", "estimate"),
        # Achieved: compared with last year, or reported for a past period.
        ("规上工业增加值完成343.64亿元,同比增长4.3%。", "actual"),
        ("规上工业增加值同比增长11.7%。", "actual"),
        ("2023年实现规上工业总产值162亿元。", "actual"),
        # An actual cue after the estimate: 由预计的2.5%提高到7.2%.
        ("增速由预计的2.5%提高到7.2%。", "actual"),
    ],
)
def test_kind_by_modality_and_period(text, kind):
    assert figures(text, date=dt.date(2024, 1, 30))[-1]["kind"] == kind


def test_estimate_cue_reaches_through_a_list():
    found = figures(
        "2023年,常州经开区预计完成地区生产总值992亿元,一般公共预算收入53.5亿元,"
        "实际到账外资7456万美元。",
        date=dt.date(2023, 12, 28),
    )
    assert [(x["value"], x["kind"]) for x in found] == [
        (9920000, "estimate"),
        (535000, "estimate"),
        (7456, "estimate"),  # 实际到账外资 names the indicator; it is no actual cue
    ]


def test_the_whole_year_is_the_paragraphs_year():
    found = figures(
        "2018年,高新区取得新成绩。全年技工贸总收入同比增长37.94%。"
        "2019年,预期目标是实现技工贸总收入增长30%。",
        date=dt.date(2019, 2, 25),
    )
    assert [(x["growth_pct"], x["period"], x["kind"]) for x in found] == [
        (37.94, "2018", "actual"),
        (30, "2019", "target"),
    ]


def test_growth_rates_shared_out_by_fenbie():
    found = figures(
        "预计完成工业总产值14.86亿元、工业销售产值10.27亿元、工业增加值2.995亿元,"
        "分别同比增长80.73%、28.65%、94.88%。",
        date=dt.date(2012, 11, 8),
    )
    assert [(x["value"], x["growth_pct"], x["kind"]) for x in found] == [
        (148600, 80.73, "estimate"),
        (102700, 28.65, "estimate"),
        (29950, 94.88, "estimate"),
    ]


def test_shares_and_value_added_are_not_growth():
    found = figures(
        "服务业增加值86.4亿元,增长13.9%,服务业增加值占GDP比重达50%;"
        "呈增长势头企业占规上工业企业75.8%。",
        date=dt.date(2018, 8, 10),
    )
    assert [(x["value"], x["unit"], x["growth_pct"]) for x in found] == [
        (864000, "万元", 13.9),
        (50, "%", None),
        (75.8, "%", None),
    ]


def test_short_growth_words_classes_and_electricity():
    found = figures("实现规上工业销售产值1129.6亿元,同比增1.4%。", date=dt.date(2013, 11, 13))
    assert [(x["value"], x["growth_pct"]) for x in found] == [(11296000, 1.4)]
    found = figures("全年新增规模工业企业7家以上,产值过10亿元企业突破10家。")
    assert [(x["value"], x["unit"]) for x in found] == [(7, "家"), (10, "家")]
    found = figures("规上工业用电量6.42亿度,同比增长39.2%。")
    assert [(x["value"], x["unit"], x["growth_pct"]) for x in found] == [
        (642000000, "千瓦时", 39.2)
    ]


def test_spoken_yi_and_foreign_money_growth():
    found = figures(
        "2016年,开发区将实现“五个突破”,即产值突破30个亿、投资突破10个亿,入区企业总数突破100家。"
    )
    assert [(x["value"], x["unit"], x["kind"]) for x in found] == [
        (300000, "万元", "target"),
        (100000, "万元", "target"),
        (100, "家", "target"),
    ]
    found = one("进出口总额完成1.3亿美元,增长32%。", date=dt.date(2019, 2, 18))
    assert (found["value"], found["unit"], found["growth_pct"]) == (1.3, "亿美元", 32)


def test_periods_resolve_from_the_article_date():
    date = dt.date(2025, 11, 20)
    assert one("前三季度完成投资50亿元。", date=date)["period"] == "2025Q1-Q3"
    assert one("去年完成投资50亿元。", date=date)["period"] == "2024"
    assert one("“十五五”期间新增项目100个。", date=date)["period"] == "2026-2030"
    assert one("近五年累计新增市场主体25396户。", date=date)["period"] == "2021-2025"


def test_infers_year_of_undated_article():
    assert period.infer_year("", "深入学习贯彻党的二十届四中全会精神", None) == 2025
    assert period.infer_year("奋进二〇二四", "", None) == 2024
    assert period.infer_year("", "", dt.date(2023, 4, 21)) == 2023


def test_list_gives_one_statement_each():
    found = figures("重点建设5个国家级研发平台,引入2个国家级课题和核心专利技术50项以上。")
    assert [(x["value"], x["measure"]) for x in found] == [
        (5, "国家级研发平台"),
        (2, "国家级课题"),
        (50, "核心专利技术"),
    ]


def test_unmapped_figures_keep_their_own_words():
    found = one("新建了17座雪堡。")
    assert found["indicator"] == "雪堡" and found["measure"] == "雪堡"


def test_subject_is_the_zone_the_article_is_about():
    found = one("经开区新增项目20个。", title="长春经开区:十年来的变化")
    assert found["subject"] == "长春经开区"
    assert (
        one("目前长春高新区拥有631家高新技术企业。", zone="长春高新区")["subject"] == "长春高新区"
    )


# Evaluation ------------------------------------------------------------------------------------


def test_matching_compares_money_after_normalising_and_growth_only_on_growth():
    expected = {"sentence": "总投资约225亿元,年度计划投资35亿元,增长10%。", "value": 35,
                "unit": "亿元", "growth_pct": 10, "kind": "target"}  # fmt: skip
    proposed = {"sentence": "年度计划投资35亿元,增长10%", "value": 350000, "unit": "万元"}
    assert evaluation.matches(proposed, expected)
    assert not evaluation.matches({**proposed, "value": 35}, expected)
    assert not evaluation.matches({**proposed, "sentence": "另一句35亿元"}, expected)
    growth = {"sentence": "同比增长23.5%", "value": None, "unit": None, "growth_pct": 23.5}
    assert evaluation.matches(growth, {**growth, "sentence": "产值同比增长23.5%。"})
    assert not evaluation.matches({**growth, "growth_pct": 23}, {**growth})


def test_score_counts_each_expected_statement_once():
    item = {"sentence": "项目40个", "value": 40, "unit": "个", "kind": "target"}
    result = evaluation.score([item, item], [item])
    assert (result.precision, result.recall, result.kind_accuracy) == (0.5, 1.0, 1.0)


def test_a_decline_is_a_negative_growth_rate():
    found = one("固定资产投资同比下降3.5%。", date=dt.date(2025, 10, 20))
    assert (found["growth_pct"], found["indicator"]) == (-3.5, "fixed_asset_investment")


def test_an_opening_period_frames_the_paragraph_and_elapsed_periods_are_actuals():
    text = (
        "今年前三季度,实现地区生产总值186.3亿元,同比增长6.2%。规上工业总产值完成52.7亿元。"
        "新认定高新技术企业47家,累计达到412家。全年力争社会消费品零售总额突破120亿元。"
    )
    found = figures(text, date=dt.date(2025, 10, 20))
    assert [(x["value"], x["period"], x["kind"]) for x in found] == [
        (1863000, "2025Q1-Q3", "actual"),
        (527000, "2025Q1-Q3", "actual"),
        (47, "2025Q1-Q3", "actual"),
        (412, "2025Q1-Q3", "actual"),
        (1200000, "2025", "target"),
    ]
    assert found[3]["indicator"] == "hnte_count"  # 累计达到412家: the 高新技术企业 before it
