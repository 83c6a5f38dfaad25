"""Fast all-or-nothing imports in the layout a statistics office exports.

One row per enterprise (registry) or per enterprise per month (figures), Chinese column
headers, amounts in 万元. Every row is checked first (USCC, zone, month not approved, numbers,
duplicates); if any row is bad nothing is written and every problem is listed. Good files are
written with ``bulk_create`` / ``bulk_update`` in batches, with audit rows for every record.

The spreadsheet is read with python-calamine; a workbook may hold several sheets with the same
header (a sheet holds at most 1,048,576 rows), and a title row above the header is skipped.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access import context
from zoneops.core.audit import bulk
from zoneops.core.audit import trail as audit
from zoneops.core.files import uploads
from zoneops.core.files.import_engine import ImportEngine
from zoneops.core.files.imports import (
    ImportFileError,
    ImportResult,
    RowError,
    check_import_size,
    code_or_name,
    csv_rows,
    gc_paused,
)
from zoneops.core.models import ObjectChange, Zone
from zoneops.core.registries import background
from zoneops.core.zones import geo
from zoneops.enterprises import locks, uscc
from zoneops.enterprises import rollups as scale_up_rollup
from zoneops.enterprises.industries import clean_code, code_map
from zoneops.enterprises.models import (
    Enterprise,
    IndustrialChain,
    MonthlyFigure,
    follow_enterprise_zones,
)

MAX_ROWS = 2_000_000
BATCH = 4000
MAX_ERRORS = 10_000


def _norm(header) -> str:
    text = "" if header is None else str(header)
    text = text.replace("（", "(").replace("）", ")").replace("，", ",").replace("：", ":")
    return re.sub(r"\s+", "", text).strip("*").lower()


class Column:
    def __init__(self, name, label, aliases=(), *, required=False, help_text=""):
        self.name = name
        self.label = label
        self.aliases = tuple(_norm(a) for a in aliases)
        self.required = required
        self.help_text = help_text


def read_rows(name: str, content: bytes, columns: list[Column]):
    """(header map, iterator of (sheet, row number, cells)) over every sheet of the file."""
    check_import_size(content)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        sheets = [("", csv_rows(content))]
    elif suffix in uploads.SPREADSHEET_SUFFIXES:
        try:
            workbook = uploads.open_workbook(name, content, max_rows=MAX_ROWS)
            sheets = [
                (sheet, workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
                for sheet in workbook.sheet_names
            ]
        except uploads.UploadRefused as exc:
            raise ImportFileError(str(exc)) from exc
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise ImportFileError(
                _("The spreadsheet cannot be read: {error}").format(error=exc)
            ) from exc
    else:
        raise ImportFileError(_("Upload a .xlsx or .csv file (got “{name}”).").format(name=name))
    found = []
    for sheet, rows in sheets:
        for index, row in enumerate(rows[:6]):
            mapping = _header_map(row, columns)
            if mapping is not None:
                found.append((sheet, index, mapping, rows))
                break
    if not found:
        if not any(rows for _sheet, rows in sheets):
            raise ImportFileError(_("The file is empty."))
        required = "、".join(str(c.label) for c in columns if c.required)
        raise ImportFileError(
            _("No header row with the required columns was found: {columns}.").format(
                columns=required
            )
        )
    total = sum(len(rows) - index - 1 for _s, index, _m, rows in found)
    if total > MAX_ROWS:
        raise ImportFileError(
            _("The file has {count} rows; at most {limit} can be imported at once.").format(
                count=total, limit=MAX_ROWS
            )
        )
    return found


def _header_map(row, columns: list[Column]) -> dict[str, int] | None:
    headers = [_norm(h) for h in row]
    mapping: dict[str, int] = {}
    for column in columns:
        for index, header in enumerate(headers):
            if header and (header in column.aliases or header == _norm(column.label)):
                mapping.setdefault(column.name, index)
        if column.name not in mapping:
            # Statistics offices vary the wording: "营业收入(本年累计,万元)" …
            for index, header in enumerate(headers):
                if header and any(a and header.startswith(a) for a in column.aliases):
                    mapping.setdefault(column.name, index)
                    break
    if any(c.required and c.name not in mapping for c in columns):
        return None
    return mapping


def _text(value) -> str:
    if type(value) is str:  # the usual cell first: this runs for every cell of a file
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


CENT = Decimal("0.01")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "规上", "限上", "四上"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}


def _decimal(value) -> Decimal:
    """A cell as an amount; raises ValueError for text that is not a number."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        return Decimal(repr(value)).quantize(CENT)
    text = str(value).strip().replace(",", "").replace("，", "")
    if text in ("", "-", "—"):
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number.quantize(CENT)


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})[-年](\d{1,2})[-月](\d{1,2})日?", text)
    if not match:
        raise ValueError
    return dt.date(*(int(g) for g in match.groups()))


class FastImporter(ImportEngine):
    """The statistics office's layouts through the import engine: ``read`` gives the sheets
    (``read_rows``), the importers check and write their rows."""

    columns: list[Column] = []

    @gc_paused
    @context.attributed_to_self_user
    def run(self, name: str, content: bytes) -> ImportResult:
        return super().run(name, content)

    def read(self, name: str, content: bytes):
        return read_rows(name, content, self.columns)

    def form_fields(self) -> dict:
        return {
            c.name: forms.CharField(label=c.label, required=c.required, help_text=c.help_text)
            for c in self.columns
        }

    def error(self, result, row, column: str, value, reason) -> None:
        if len(result.errors) < MAX_ERRORS:
            label = next((str(c.label) for c in self.columns if c.name == column), column)
            result.errors.append(RowError(row, label, _text(value)[:100], str(reason)))


STATUS_WORDS = {
    "营业": Enterprise.Status.OPERATING,
    "在营": Enterprise.Status.OPERATING,
    "正常": Enterprise.Status.OPERATING,
    "运营": Enterprise.Status.OPERATING,
    "operating": Enterprise.Status.OPERATING,
    "双停": Enterprise.Status.IDLE,
    "停产": Enterprise.Status.IDLE,
    "停业": Enterprise.Status.IDLE,
    "idle": Enterprise.Status.IDLE,
    "注销": Enterprise.Status.DEREGISTERED,
    "吊销": Enterprise.Status.DEREGISTERED,
    "deregistered": Enterprise.Status.DEREGISTERED,
}


STATUS_CODES = {value: value for value in Enterprise.Status.values}


def status_labels() -> dict[str, str]:
    """Lower-case label (Chinese and English) → status code."""
    from django.utils import translation

    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(label).lower(): value for value, label in Enterprise.Status.choices})
    return labels


def industry_name_map() -> dict[str, set[int]]:
    """Lower-case name → the Industry ids of that name."""
    from zoneops.enterprises.models import Industry

    names: dict[str, set[int]] = {}
    for pk, name in Industry.objects.values_list("pk", "name"):
        names.setdefault(name.lower(), set()).add(pk)
    return names  # a group and its only class share a name: the code decides


class EnterpriseImporter(FastImporter):
    model = Enterprise
    columns = [
        Column(
            "uscc",
            gettext_lazy("unified social credit code"),
            ["统一社会信用代码", "社会信用代码", "信用代码", "uscc"],
            required=True,
        ),
        Column(
            "name",
            gettext_lazy("name"),
            ["单位详细名称", "企业名称", "单位名称", "名称", "name"],
            required=True,
        ),
        Column(
            "zone",
            gettext_lazy("zone"),
            ["所属园区", "园区代码", "园区", "所属区域", "zone"],
            required=True,
            help_text=gettext_lazy("Zone code or name, e.g. CCGX or 长春高新区."),
        ),
        Column("address", gettext_lazy("address"), ["详细地址", "地址", "address"]),
        Column(
            "founded_on",
            gettext_lazy("founded on"),
            ["成立日期", "开业(成立)时间", "成立时间", "founded_on"],
        ),
        Column(
            "registered_capital",
            gettext_lazy("registered capital (10k yuan)"),
            ["注册资本(万元)", "注册资本", "registered_capital"],
        ),
        Column(
            "industry",
            gettext_lazy("industry"),
            ["行业代码", "国民经济行业代码", "行业小类代码", "industry"],
            help_text=gettext_lazy("GB/T 4754-2017 code, e.g. 2761 or C2761."),
        ),
        Column("chain", gettext_lazy("industrial chain"), ["产业链", "所属产业链", "chain"]),
        Column("is_chain_leader", gettext_lazy("chain leader"), ["链主企业", "是否链主", "链主"]),
        Column(
            "status",
            gettext_lazy("status"),
            ["经营状态", "运营状态", "状态", "status"],
            help_text=gettext_lazy("营业 / 双停 / 注销; empty: operating."),
        ),
        Column(
            "above_scale",
            gettext_lazy("above scale"),
            ["四上企业", "是否规上", "规上企业", "是否四上", "above_scale"],
            help_text=gettext_lazy("是 / 否"),
        ),
        Column(
            "longitude",
            gettext_lazy("longitude"),
            ["经度", "经度(wgs84)", "经度(wgs-84)", "longitude(wgs-84)", "lng", "lon", "longitude"],
            help_text=gettext_lazy("WGS-84 degrees, e.g. 125.35; give latitude too."),
        ),
        Column(
            "latitude",
            gettext_lazy("latitude"),
            ["纬度", "纬度(wgs84)", "纬度(wgs-84)", "latitude(wgs-84)", "lat", "latitude"],
            help_text=gettext_lazy("WGS-84 degrees, e.g. 43.88; give longitude too."),
        ),
    ]

    def check(self, sheets, result: ImportResult) -> list[tuple]:
        """Every row checked; (USCC, fields, the enterprise registered with it or None) of
        each row when none is bad."""
        total = sum(len(rows) - index - 1 for _s, index, _m, rows in sheets)
        background.report(0, total, background.CHECKING)
        parsed = self.parse_sheets(sheets, total, result)
        if result.errors:
            return []
        existing = self.registered(parsed, result)
        return [(code, fields, existing.get(code)) for _row, code, fields in parsed]

    def lookups(self) -> tuple:
        """What the cells name, by key: zones, industries (by code, by name), chains."""
        zones = Zone.objects.restrict(self.user, "view") if self.user else Zone.objects.all()
        zone_rows = list(zones.only("id", "code", "name", "path"))
        zone_by_key = {z.code.lower(): z for z in zone_rows}
        names: dict[str, list[Zone]] = {}
        for zone in zone_rows:
            names.setdefault(zone.name, []).append(zone)
        for zone_name, found in names.items():
            if len(found) == 1:
                zone_by_key.setdefault(zone_name.lower(), found[0])
        chains = {}
        for chain in IndustrialChain.objects.select_related("zone").order_by("-zone__path"):
            chains.setdefault(chain.name, []).append(chain)
        return zone_by_key, (code_map(), industry_name_map()), chains

    def parse_sheets(self, sheets, total: int, result: ImportResult) -> list[tuple]:
        """(row, USCC, fields) of every good row; the bad ones' errors in ``result``."""
        zone_by_key, industries, chains = self.lookups()
        parsed = []
        seen: dict[str, int] = {}
        done = 0
        for _sheet, header_index, mapping, rows in sheets:
            columns = list(mapping.items())
            for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
                done += 1
                if not done & 1023:
                    background.report(done, total, background.CHECKING)
                if not any(c not in (None, "") for c in cells):
                    continue
                # The row's cells by column name, once (a short row's missing cells are None).
                width = len(cells)
                raw = {name: cells[i] if i < width else None for name, i in columns}
                code = _text(raw["uscc"]).upper()
                problem = uscc.problem(code)
                if problem:
                    self.error(result, offset, "uscc", code, problem)
                    continue
                if code in seen:
                    self.error(
                        result,
                        offset,
                        "uscc",
                        code,
                        _("Duplicates row {row} of this file.").format(row=seen[code]),
                    )
                    continue
                seen[code] = offset
                fields = self.parse(result, offset, raw, zone_by_key, industries, chains)
                if fields is not None:
                    parsed.append((offset, code, fields))
        return parsed

    def registered(self, parsed: list[tuple], result: ImportResult) -> dict[str, Enterprise]:
        """The enterprises already registered with the rows' USCCs; an error for each one in
        a zone the user is not granted."""
        existing = {}
        codes = registered([code for _row, code, _fields in parsed])
        for start in range(0, len(codes), 5000):
            existing.update(
                Enterprise.objects.filter(uscc__in=codes[start : start + 5000]).in_bulk(
                    field_name="uscc"
                )
            )
        may_change = None
        if existing and self.user is not None and not self.user.is_zone_admin:
            may_change = set(self.user.visible_zones().values_list("pk", flat=True))
        for row, code, _fields in parsed:
            found = existing.get(code)
            if found is not None and may_change is not None and found.zone_id not in may_change:
                self.error(
                    result, row, "uscc", code, _("Registered in a zone you are not granted.")
                )
        return existing

    def write(self, name: str, plan: list[tuple], result: ImportResult) -> None:
        """New enterprises inserted, registered ones updated (audit rows for both)."""
        source = f"import: {Path(name).name}"[:300]
        new = []
        changed = []
        zones = set()  # each zone written, before and after: its scale-up roll-up
        for code, fields, found in plan:
            zones.add(fields["zone"].pk)  # a required column: every row names its zone
            if found is None:
                new.append((code, source, fields))
            else:
                zones.add(found.zone_id)
                before = audit.snapshot(found)
                for key, value in fields.items():
                    setattr(found, key, value)
                changed.append((found, before))
        create_enterprises(new)
        update_fields = [c.name for c in self.columns if c.name != "uscc"] + ["updated_at"]
        write_updates(Enterprise, changed, update_fields)
        follow_enterprise_zones([found.pk for found, _before in changed])
        scale_up_rollup.touch_zones(zones)
        result.created, result.updated = len(new), len(changed)

    def parse(self, result, row, raw: dict, zone_by_key, industries, chains):
        """The fields of one row from its cells by column name (only the file's columns)."""
        before = len(result.errors)
        fields = {}
        name = _text(raw.get("name"))
        if not name:
            self.error(result, row, "name", "", _("This field is required."))
        fields["name"] = name[:200]
        zone_key = _text(raw.get("zone"))
        zone = zone_by_key.get(zone_key.lower())
        if zone is None:
            self.error(
                result, row, "zone", zone_key, _("Unknown zone (or one you are not granted).")
            )
        fields["zone"] = zone
        # Only the file's columns are set: a column the file has not (a list export has no
        # address) leaves the enterprise's value as it is.
        if "address" in raw:
            fields["address"] = _text(raw.get("address"))[:300]
        if "founded_on" in raw:
            try:
                fields["founded_on"] = _date(raw.get("founded_on"))
            except ValueError:
                self.error(result, row, "founded_on", raw.get("founded_on"), _("Not a date."))
        capital = raw.get("registered_capital")
        try:
            if "registered_capital" in raw:
                fields["registered_capital"] = None if capital in (None, "") else _decimal(capital)
        except ValueError:
            self.error(result, row, "registered_capital", capital, _("Not a number."))
        self.parse_classification(result, row, raw, fields, industries, chains)
        self.parse_place_and_status(result, row, raw, fields)
        return fields if len(result.errors) == before else None

    def parse_classification(self, result, row, raw: dict, fields: dict, industries, chains):
        """Industry (GB/T 4754 code or name), industrial chain of the zone, yes/no flags."""
        zone = fields["zone"]
        industry_text = _text(raw.get("industry"))
        if "industry" in raw:
            fields["industry_id"] = None
        if industry_text:
            by_code, by_name = industries
            # a code (2761, C2761), a code with its name (as the list exports it) or the name
            fields["industry_id"] = by_code.get(clean_code(industry_text)) or code_or_name(
                industry_text, by_code, by_name, clean=clean_code
            )
            if fields["industry_id"] is None:
                self.error(result, row, "industry", industry_text, _("Not a GB/T 4754-2017 code."))
        chain_name = _text(raw.get("chain"))
        if "chain" in raw:
            fields["chain"] = None
        if chain_name and zone is not None:
            fields["chain"] = next(
                (c for c in chains.get(chain_name, []) if zone.path.startswith(c.zone.path)), None
            )
            if fields["chain"] is None:
                self.error(
                    result, row, "chain", chain_name, _("Not an industrial chain of this zone.")
                )
        for flag in ("is_chain_leader", "above_scale"):
            if flag not in raw:
                continue
            word = _text(raw.get(flag)).lower()
            if word in TRUE_WORDS:
                fields[flag] = True
            elif word in FALSE_WORDS:
                fields[flag] = False
            else:
                self.error(result, row, flag, word, _("Write 是 or 否."))
        if fields.get("is_chain_leader") and "chain" in raw and fields["chain"] is None:
            self.error(
                result,
                row,
                "is_chain_leader",
                "是",
                _("A chain leader needs its industrial chain."),
            )

    def parse_place_and_status(self, result, row, raw: dict, fields: dict):
        """The point (WGS-84) and the status (营业 / 双停 / 注销, the code or the label)."""
        if "longitude" in raw or "latitude" in raw:
            lon_cell = raw.get("longitude")
            lat_cell = raw.get("latitude")
            point, problems = geo.parse_point(lon_cell, lat_cell)
            for field, reason in problems:
                self.error(
                    result, row, field, lon_cell if field == "longitude" else lat_cell, reason
                )
            fields["longitude"], fields["latitude"] = point or (None, None)
        status_word = _text(raw.get("status"))
        if status_word or "status" in raw:
            status = STATUS_WORDS.get(status_word.lower())
            if status is None:  # the code, or the label as the list shows and exports it
                status = code_or_name(status_word, STATUS_CODES, status_labels())
            if status is None and not status_word:
                status = Enterprise.Status.OPERATING
            if status is None:
                self.error(result, row, "status", status_word, _("Write 营业, 双停 or 注销."))
            fields["status"] = status


def registered(codes: list[str]) -> list[str]:
    """Which of ``codes`` are registered already. Plain SQL: the ORM prepares each of an IN
    list's thousands of values one by one, and a registry file is mostly new enterprises."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(Enterprise._meta.db_table)
    column = quote(Enterprise._meta.get_field("uscc").column)
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(codes), 5000):
            chunk = codes[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk)
            found.extend(code for (code,) in cursor.fetchall())
    return found


ENTERPRISE_COLUMNS = (
    "source",
    "uscc",
    "name",
    "zone_id",
    "address",
    "founded_on",
    "registered_capital",
    "industry_id",
    "chain_id",
    "is_chain_leader",
    "status",
    "above_scale",
    "above_scale_since",
    "longitude",
    "latitude",
)


def create_enterprises(new: list[tuple[str, str, dict]]) -> None:
    """Insert new enterprises (USCC, source, parsed fields) with their audit rows."""
    if not new:
        return
    before = bulk.max_pk(Enterprise)
    plain = []
    rows = []
    for code, source, fields in new:
        zone, chain = fields["zone"], fields.get("chain")
        values = {
            "source": source,
            "uscc": code,
            "name": fields["name"],
            "zone_id": zone.pk,
            "address": fields.get("address", ""),
            "founded_on": fields.get("founded_on"),
            "registered_capital": fields.get("registered_capital"),
            "industry_id": fields.get("industry_id"),
            "chain_id": chain.pk if chain else None,
            "is_chain_leader": fields.get("is_chain_leader", False),
            "status": fields.get("status") or Enterprise.Status.OPERATING,
            "above_scale": fields.get("above_scale", False),
            "above_scale_since": None,
            "longitude": fields.get("longitude"),
            "latitude": fields.get("latitude"),
        }
        plain.append(values)
        rows.append(tuple(values.values()))
    assert tuple(plain[0]) == ENTERPRISE_COLUMNS
    bulk.insert(Enterprise, ENTERPRISE_COLUMNS, rows)
    pks = bulk.inserted_pks(Enterprise, len(plain))
    if pks is None:
        ids = dict(
            Enterprise.objects.filter(pk__gt=before)
            .values_list("uscc", "pk")
            .iterator(chunk_size=10000)
        )
        pks = [ids[values["uscc"]] for values in plain]
    bulk.log_created(
        Enterprise,
        (
            (
                pk,
                values["name"],
                values["zone_id"],
                audit.created_json(
                    values
                    | {
                        "founded_on": values["founded_on"].isoformat()
                        if values["founded_on"]
                        else None,
                        "registered_capital": None
                        if values["registered_capital"] is None
                        else str(values["registered_capital"]),
                        "longitude": None
                        if values["longitude"] is None
                        else str(values["longitude"]),
                        "latitude": None if values["latitude"] is None else str(values["latitude"]),
                    }
                ),
            )
            for pk, values in zip(pks, plain, strict=True)
        ),
    )


def write_updates(model, changed: list, fields: list[str]) -> None:
    """Updates in batches (``core.audit.bulk.update``), with an audit row for each record that
    really changed."""
    if not changed:
        return
    from django.utils import timezone

    now = timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        rows = []
        objs = []
        for obj, before in batch:
            changes = audit.diff(before, audit.snapshot(obj))
            if not changes:
                continue
            obj.updated_at = now
            objs.append(obj)
            rows.append(audit.change_row(obj, ObjectChange.Action.UPDATE, changes, content_type))
        if objs:
            bulk.update(model, objs, fields)
            ObjectChange.objects.bulk_create(rows, batch_size=2000)


FIGURE_FIELDS = (
    "main_revenue",
    "output_value",
    "tax_paid",
    "employees",
    "rd_expense",
    "energy_use",
)
ZERO = {name: (0 if name == "employees" else "0.00") for name in FIGURE_FIELDS}
PERIOD = re.compile(r"^(\d{4})\s*(?:[-./年]\s*)?(\d{1,2})\s*月?(?:份)?$")


class FigureImporter(FastImporter):
    """Monthly figures: one row per enterprise per month, year-to-date amounts in 万元."""

    model = MonthlyFigure
    columns = [
        Column(
            "uscc",
            gettext_lazy("unified social credit code"),
            ["统一社会信用代码", "社会信用代码", "信用代码", "uscc"],
            required=True,
        ),
        Column("name", gettext_lazy("name"), ["单位详细名称", "企业名称", "单位名称", "name"]),
        Column(
            "period",
            gettext_lazy("period"),
            ["报告期", "统计期", "期别", "period"],
            help_text=gettext_lazy("2025-03, 202503 or 2025年3月; or the two columns below."),
        ),
        Column("year", gettext_lazy("year"), ["年份", "年度", "年", "year"]),
        Column("month", gettext_lazy("month"), ["月份", "月", "month"]),
        Column(
            "main_revenue",
            gettext_lazy("main revenue, ytd (10k yuan)"),
            ["营业收入", "主营业务收入", "main_revenue"],
        ),
        Column(
            "output_value",
            gettext_lazy("industrial output value, ytd (10k yuan)"),
            ["工业总产值", "output_value"],
        ),
        Column(
            "tax_paid",
            gettext_lazy("tax paid, ytd (10k yuan)"),
            ["税金总额", "应交税金", "实缴税金", "纳税额", "tax_paid"],
        ),
        Column(
            "employees", gettext_lazy("employees"), ["从业人员期末人数", "从业人员", "employees"]
        ),
        Column(
            "rd_expense",
            gettext_lazy("R&D expense, ytd (10k yuan)"),
            ["研究开发费用", "研发费用", "r&d经费", "rd_expense"],
        ),
        Column(
            "energy_use",
            gettext_lazy("energy use, ytd (t standard coal)"),
            ["综合能源消费量", "能源消费量", "energy_use"],
        ),
    ]
    # Tax may be negative (refunds); everything else may not.
    may_be_negative = frozenset({"tax_paid"})

    def check(self, sheets, result: ImportResult) -> list[tuple]:
        """Every row checked, then locked months refused: (row, (enterprise id, year,
        month), figures) of every row."""
        total = sum(len(rows) - index - 1 for _s, index, _m, rows in sheets)
        background.report(0, total, background.CHECKING)
        for _sheet, _index, mapping, _rows in sheets:
            if "period" not in mapping and not ("year" in mapping and "month" in mapping):
                raise ImportFileError(_("The file needs a 报告期 column, or 年份 and 月份."))
        enterprises = Enterprise.objects.all()
        if self.user is not None:
            enterprises = enterprises.restrict(self.user, "view")
        by_uscc = dict(enterprises.values_list("uscc", "pk"))
        parsed = []
        seen: dict[tuple, int] = {}
        periods: set[tuple[int, int]] = set()
        done = 0  # rows of the sheets before this one
        for sheet in sheets:
            self.parse_sheet(sheet, by_uscc, seen, parsed, periods, result, (done, total))
            done += len(sheet[3]) - sheet[1] - 1
        if not result.errors:
            self.refuse_locked(parsed, periods, result)
        return parsed

    def parse_sheet(self, sheet, by_uscc, seen, parsed, periods, result, progress) -> None:
        """Check the rows of one sheet: (row, (enterprise id, year, month), figures) of the
        good ones to ``parsed``, the errors of the bad ones to ``result``."""
        _sheet, header_index, mapping, rows = sheet
        done, total = progress
        check = uscc.problem
        error = self.error
        uscc_at = mapping["uscc"]
        period_at = mapping.get("period")
        year_at, month_at = mapping.get("year"), mapping.get("month")
        specs = [(f, mapping.get(f), f in self.may_be_negative) for f in FIGURE_FIELDS]
        # The common case, every figure a number in its cell, takes a shortcut.
        indexes = [index for _f, index, _n in specs]
        all_present = None not in indexes
        top = max((i for i in indexes if i is not None), default=0)
        for row, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
            if not row & 4095:
                background.report(row - header_index - 2 + done, total, background.CHECKING)
            width = len(cells)
            code = cells[uscc_at] if uscc_at < width else None
            if code is None or code == "":
                if not any(c not in (None, "") for c in cells):
                    continue
                code = ""
            code = str(code).strip().upper()
            enterprise_id = by_uscc.get(code)
            if enterprise_id is None:
                problem = check(code)
                error(
                    result,
                    row,
                    "uscc",
                    code,
                    problem or _("No such enterprise in the zones you are granted."),
                )
                continue
            period = _row_period(cells, width, period_at, year_at, month_at)
            if period is None:
                shown = cells[period_at] if period_at is not None and period_at < width else ""
                error(result, row, "period", shown, _("Not a year and month."))
                continue
            key = (enterprise_id, *period)
            if key in seen:
                error(
                    result,
                    row,
                    "uscc",
                    code,
                    _("Duplicates row {row} of this file.").format(row=seen[key]),
                )
                continue
            seen[key] = row
            values = _plain_figures(cells, indexes) if all_present and width > top else None
            if values is None:
                values = self.figures(result, row, cells, width, specs)
                if values is None:
                    continue
            periods.add(period)
            parsed.append((row, key, values))

    def figures(self, result, row: int, cells, width: int, specs) -> tuple | None:
        """The figures of a row, each cell checked (number, size, sign, whole number of
        people); None if any is bad (its errors are in ``result``)."""
        error = self.error
        values = []
        bad = False
        for field_name, index, negative_ok in specs:
            raw = cells[index] if index is not None and index < width else None
            if type(raw) is float and raw == raw and -1e13 < raw < 1e13:
                number = raw
            elif raw is None or raw == "":
                values.append(None if index is None else ZERO[field_name])
                continue
            else:
                try:
                    number = float(_decimal(raw))
                except ValueError:
                    error(result, row, field_name, raw, _("Not a number."))
                    bad = True
                    continue
                if not -1e13 < number < 1e13:
                    error(result, row, field_name, raw, _("Too large."))
                    bad = True
                    continue
            if number < 0 and not negative_ok:
                error(result, row, field_name, raw, _("Cannot be negative."))
                bad = True
            elif field_name == "employees":
                if number != int(number):
                    error(result, row, field_name, raw, _("Not a whole number."))
                    bad = True
                values.append(int(number))
            else:
                values.append(f"{number:.2f}")
        return None if bad else tuple(values)

    def refuse_locked(self, parsed, periods, result) -> None:
        """Approved months are locked: an error for every row of one."""
        locked = {period: locks.locked_zone_ids(*period) for period in periods}
        if not any(locked.values()):
            return
        zone_of = dict(
            Enterprise.objects.filter(pk__in={k[0] for _r, k, _v in parsed}).values_list(
                "pk", "zone_id"
            )
        )
        for row, (enterprise_id, year, month), _values in parsed:
            if zone_of.get(enterprise_id) in locked[(year, month)]:
                self.error(
                    result, row, "period", f"{year}-{month:02d}", locks.locked_message(year, month)
                )

    def write(self, name: str, parsed: list[tuple], result: ImportResult) -> None:
        """New figures inserted, existing ones updated (audit rows for both), and the user
        recorded in the ledger of the months' editors."""
        source = f"import: {Path(name).name}"[:300]
        ids = {key[0] for _row, key, _values in parsed}
        existing = existing_figures(ids, {key[1:] for _row, key, _values in parsed})
        names = enterprise_names(ids)
        stub = _EnterpriseStubs(names)
        fields = FIGURE_FIELDS
        new, changed = [], []
        for _row, key, values in parsed:
            figure = existing.get(key)
            if figure is None:
                new.append(
                    (
                        key,
                        tuple(
                            ZERO[f] if v is None else v for f, v in zip(fields, values, strict=True)
                        ),
                    )
                )
            else:
                before = audit.snapshot(figure)
                for field_name, value in zip(fields, values, strict=True):
                    if value is not None:
                        setattr(
                            figure,
                            field_name,
                            value if field_name == "employees" else Decimal(value),
                        )
                figure._state.fields_cache["enterprise"] = stub(key[0])
                changed.append((figure, before))
        insert_figures(new, names, source)
        write_updates(MonthlyFigure, changed, [*fields, "updated_at"])
        scale_up_rollup.touch_zones(names[pk][1] for pk in ids)
        locks.note_editors(
            self.user, {(names[key[0]][1], key[1], key[2]) for _row, key, _values in parsed}
        )
        result.created = len(new)
        result.updated = len(changed)

    def update_fields(self) -> list[str]:
        return ["main_revenue", "output_value", "tax_paid", "employees", "rd_expense", "energy_use"]


def existing_figures(ids: set[int], periods: set[tuple[int, int]]) -> dict[tuple, MonthlyFigure]:
    """The figures already recorded of the enterprises ``ids`` in ``periods``, by (enterprise
    id, year, month)."""
    existing = {}
    for year, month in periods:
        for figure in MonthlyFigure.objects.filter(year=year, month=month):
            if figure.enterprise_id in ids:
                existing[(figure.enterprise_id, year, month)] = figure
    return existing


def enterprise_names(ids: set[int]) -> dict[int, tuple[str, int]]:
    """Name and zone id of the enterprises ``ids``, for the audit rows' text and zone."""
    if len(ids) < 5000:
        rows = Enterprise.objects.filter(pk__in=ids).values_list("pk", "name", "zone_id")
    else:  # reading them all costs less than sending thousands of ids
        rows = Enterprise.objects.values_list("pk", "name", "zone_id")
    return {
        pk: (enterprise_name, zone_id)
        for pk, enterprise_name, zone_id in rows.iterator(chunk_size=10000)
        if pk in ids
    }


class _EnterpriseStubs:
    """An enterprise (name, zone) for each changed figure's audit row, without loading it."""

    def __init__(self, names: dict[int, tuple[str, int]]):
        self.names = names
        self.zones: dict[int, Zone] = {}
        self.stubs: dict[int, Enterprise] = {}

    def __call__(self, pk: int) -> Enterprise:
        if pk not in self.stubs:
            enterprise_name, zone_id = self.names[pk]
            if zone_id not in self.zones:
                self.zones[zone_id] = Zone.objects.only("id", "name", "path").get(pk=zone_id)
            stub = Enterprise(pk=pk, name=enterprise_name, zone_id=zone_id)
            stub._state.fields_cache["zone"] = self.zones[zone_id]
            self.stubs[pk] = stub
        return self.stubs[pk]


def insert_figures(new: list[tuple], names: dict[int, tuple[str, int]], source: str) -> None:
    """Insert new figures ((enterprise id, year, month), figures) with their audit rows."""
    if not new:
        return
    fields = FIGURE_FIELDS
    first = bulk.max_pk(MonthlyFigure)
    bulk.insert(
        MonthlyFigure,
        ("enterprise_id", "year", "month", *fields),
        ((*key, *values) for key, values in new),
        {"source": source},
    )
    pks = bulk.inserted_pks(MonthlyFigure, len(new))
    if pks is not None:
        inserted = {key: pk for (key, _values), pk in zip(new, pks, strict=True)}
    else:
        inserted = {
            (enterprise_id, year, month): pk
            for pk, enterprise_id, year, month in MonthlyFigure.objects.filter(pk__gt=first)
            .values_list("pk", "enterprise_id", "year", "month")
            .iterator(chunk_size=10000)
        }
    # The audit text of each row from a template (encoding a dict per row costs more than
    # the insert).
    template = audit.created_template(
        {"source": source, "enterprise_id": audit.INT, "year": audit.INT, "month": audit.INT}
        | {f: audit.INT if f == "employees" else audit.TEXT for f in fields}
    )
    bulk.log_created(
        MonthlyFigure,
        (
            (
                inserted[key],
                f"{names[key[0]][0]} {key[1]}-{key[2]:02d}",
                names[key[0]][1],
                template % (*key, *values),
            )
            for key, values in new
        ),
    )


def _row_period(cells, width: int, period_at, year_at, month_at) -> tuple[int, int] | None:
    """(year, month) of a row, from its period cell or its year and month cells; None if
    they hold no year 2000-2100 and month."""
    try:
        if period_at is not None and period_at < width and cells[period_at] != "":
            year, month = _period(cells[period_at])
        else:
            year = int(float(cells[year_at]))
            month = int(float(cells[month_at]))
    except (ValueError, TypeError, IndexError):
        return None
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return year, month


def _plain_figures(cells, indexes) -> tuple | None:
    """The shortcut for the usual row: every figure a float in range, people a whole number
    (the figures as the writer takes them); None for any other row."""
    raws = [cells[i] for i in indexes]
    if (
        all(type(r) is float for r in raws)
        and min(raws) >= 0
        and max(raws) < 1e13
        and raws[3].is_integer()
    ):
        return (
            f"{raws[0]:.2f}",
            f"{raws[1]:.2f}",
            f"{raws[2]:.2f}",
            int(raws[3]),
            f"{raws[4]:.2f}",
            f"{raws[5]:.2f}",
        )
    return None


def _period(value) -> tuple[int, int]:
    if isinstance(value, dt.datetime | dt.date):
        return value.year, value.month
    if isinstance(value, float | int):
        number = int(value)
        if 200001 <= number <= 210012:
            return number // 100, number % 100
        raise ValueError
    match = PERIOD.match(str(value).strip())
    if not match:
        raise ValueError
    return int(match.group(1)), int(match.group(2))
