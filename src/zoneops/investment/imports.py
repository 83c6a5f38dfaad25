"""Excel import of investment leads: the 招商线索台账 staff keep in a spreadsheet today."""

from django.utils.translation import gettext_lazy as _

from zoneops.core.files.imports import ModelImporter
from zoneops.investment.forms import LeadForm
from zoneops.investment.models import Lead
from zoneops.investment.regions import CITIES, PROVINCES

PROVINCE_SUFFIXES = ("省", "市", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区")


def _place_codes() -> dict[str, str]:
    """Place names people write (苏州市, 苏州, 广东省, 广东) → GB/T 2260 code."""
    codes: dict[str, str] = {}
    for prefix, name in PROVINCES.items():
        code = f"{prefix}0000"
        codes[name] = code
        for suffix in (
            "省",
            "市",
            "自治区",
            "特别行政区",
            "壮族自治区",
            "回族自治区",
            "维吾尔自治区",
        ):
            if name.endswith(suffix):
                codes.setdefault(name.removesuffix(suffix), code)
    for code, name in CITIES.items():
        codes[name] = code  # 北京市 the city wins over 北京市 the province: same place
        codes.setdefault(name.removesuffix("市"), code)
    codes["境外"] = codes["国外"] = "000000"
    return codes


class LeadImportForm(LeadForm):
    """The lead form, with the zone by its code and the responsible person by user name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].to_field_name = "code"
        self.fields["zone"].help_text = _("The zone's code, as on the zones page.")
        self.fields["responsible"].to_field_name = "username"
        self.fields["responsible"].help_text = _("The person's user name.")


class LeadImporter(ModelImporter):
    model = Lead
    form_class = LeadImportForm
    header_aliases = {
        "name": ("线索名称", "项目名称", "项目"),
        "zone": ("园区", "所属园区", "区域代码"),
        "investor_company": ("投资方", "投资主体", "投资企业", "客商"),
        "contact_name": ("联系人",),
        "contact_phone": ("联系电话", "电话", "手机"),
        "source_division": ("来源地", "来源地区", "客商所在地", "行政区划代码"),
        "industry": ("行业", "所属行业"),
        "chain": ("产业链", "所属产业链"),
        "method": ("招商方式",),
        "intended_investment": (
            "意向投资额",
            "意向投资额(万元)",
            "意向投资额（万元）",
            "投资额(万元)",
        ),
        "responsible": ("责任人", "负责人", "招商责任人"),
        "received_on": ("获取日期", "线索日期", "接收日期"),
    }

    def clean_row(self, data: dict[str, str]) -> dict[str, str]:
        place = data.get("source_division", "").strip()
        if place and not place.isdigit():
            if not hasattr(self, "_places"):
                self._places = _place_codes()
            # An unknown name stays as written: the form then says what to write instead.
            data["source_division"] = self._places.get(place, place)
        return data

    def row_key(self, data: dict[str, str]) -> str:
        zone, name = data.get("zone", "").strip(), data.get("name", "").strip()
        return f"{zone} · {name}" if zone and name else ""

    def key_label(self) -> str:
        return str(_("zone and lead name"))

    def existing(self, key: str):
        """The lead of the same name in the same zone is updated rather than added again."""
        if not key:
            return None
        zone, name = key.split(" · ", 1)
        return Lead.objects.restrict(self.user, "change").filter(zone__code=zone, name=name).first()
