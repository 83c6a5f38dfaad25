"""Source regions of investors: provinces by GB/T 2260 and the groupings staff plan by."""

from django.utils.translation import gettext_lazy as _

# First two digits of a GB/T 2260 code → province-level division.
PROVINCES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# A few prefecture-level cities investors commonly come from (the rest show their province).
CITIES = {
    "110100": "北京市",
    "120100": "天津市",
    "130100": "石家庄市",
    "310100": "上海市",
    "320100": "南京市",
    "320500": "苏州市",
    "330100": "杭州市",
    "330200": "宁波市",
    "340100": "合肥市",
    "440100": "广州市",
    "440300": "深圳市",
    "440400": "珠海市",
    "440600": "佛山市",
    "441900": "东莞市",
    "442000": "中山市",
    "220100": "长春市",
    "220200": "吉林市",
}

# 珠三角: the nine Guangdong cities of the Pearl River Delta.
PRD_CITIES = {"4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420"}

REGION_CHOICES = [
    ("jjj", _("Beijing-Tianjin-Hebei")),
    ("yrd", _("Yangtze River Delta")),
    ("prd", _("Pearl River Delta")),
    ("northeast", _("Northeast")),
    ("other", _("Elsewhere in China")),
    ("abroad", _("Abroad")),
]


def region_of(code: str) -> str:
    """The grouping of a six-digit division code ("" when no code is given)."""
    if not code:
        return ""
    if code == "000000":
        return "abroad"
    province = code[:2]
    if province in ("11", "12", "13"):
        return "jjj"
    if province in ("31", "32", "33", "34"):
        return "yrd"
    if code[:4] in PRD_CITIES:
        return "prd"
    if province in ("21", "22", "23"):
        return "northeast"
    return "other"


def place_name(code: str) -> str:
    if not code:
        return ""
    if code == "000000":
        return str(_("Abroad"))
    if code in CITIES:
        return CITIES[code]
    province = PROVINCES.get(code[:2], "")
    city = CITIES.get(code[:4] + "00", "")
    return city or province


def valid_code(code: str) -> bool:
    return code == "000000" or (len(code) == 6 and code.isdigit() and code[:2] in PROVINCES)
