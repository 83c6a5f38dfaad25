"""The indicator catalog every installation starts with (loaded by a data migration).

Codes are stable: other apps (intake, reports) refer to indicators by them.
"""

CATALOG_SOURCE = "指标目录：种子文章中提到的指标"

# code, name, unit, kind, direction, origin, order
CATALOG = [
    ("gdp", "地区生产总值", "万元", "cumulative", "higher", "entered", 10),
    (
        "industrial_output_above_scale",
        "规上工业总产值",
        "万元",
        "cumulative",
        "higher",
        "enterprise_figures",
        20,
    ),
    ("industrial_value_added", "规上工业增加值", "万元", "cumulative", "higher", "entered", 30),
    ("fixed_asset_investment", "固定资产投资", "万元", "cumulative", "higher", "projects", 40),
    ("retail_sales", "社会消费品零售总额", "万元", "cumulative", "higher", "entered", 50),
    (
        "retail_sales_above_quota",
        "限上社会消费品零售总额",
        "万元",
        "cumulative",
        "higher",
        "enterprise_figures",
        55,
    ),
    (
        "services_revenue",
        "服务业营业收入",
        "万元",
        "cumulative",
        "higher",
        "enterprise_figures",
        60,
    ),
    ("services_value_added", "服务业增加值", "万元", "cumulative", "higher", "entered", 65),
    ("funds_in_place", "招商引资到位资金", "万元", "cumulative", "higher", "leads", 70),
    ("signed_projects", "签约落地项目数", "个", "cumulative", "higher", "leads", 75),
    ("import_export", "进出口总额", "万元", "cumulative", "higher", "entered", 80),
    ("fiscal_revenue", "一般公共预算收入", "万元", "cumulative", "higher", "entered", 85),
    ("new_market_entities", "新增市场主体", "户", "cumulative", "higher", "entered", 90),
    ("above_scale_count", "规上工业企业数", "家", "point", "higher", "counted", 100),
    ("tech_sme_count", "科技型中小企业数", "家", "point", "higher", "counted", 105),
    ("hnte_count", "高新技术企业数", "家", "point", "higher", "counted", 110),
    ("srdi_count", "专精特新企业数", "家", "point", "higher", "counted", 120),
    ("little_giant_count", "专精特新“小巨人”企业数", "家", "point", "higher", "counted", 130),
]


def ensure_catalog(indicator_model) -> int:
    """Create the catalog's indicators that are missing (never overwrites an edited one)."""
    created = 0
    for code, name, unit, kind, direction, origin, order in CATALOG:
        _obj, was_created = indicator_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "kind": kind,
                "direction": direction,
                "origin": origin,
                "sort_order": order,
                "source": CATALOG_SOURCE,
            },
        )
        created += was_created
    return created
