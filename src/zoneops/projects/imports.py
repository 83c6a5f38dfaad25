"""Import of the key-project dispatch sheet (重点项目调度表) and of the monthly update.

Both are all-or-nothing: every row is checked first and the full list of bad rows comes back;
only a clean file is written, in bulk (thousands of rows in a second), with audit rows.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.audit import bulk
from zoneops.core.audit import trail as audit
from zoneops.core.files.imports import (
    ImportFileError,
    ImportResult,
    ModelImporter,
    RowError,
    gc_paused,
    plain_cell,
    read_table,
)
from zoneops.core.models import CHINA_LATITUDE, CHINA_LONGITUDE, ObjectChange
from zoneops.core.registries import background
from zoneops.core.zones import geo
from zoneops.projects import completed
from zoneops.projects.models import (
    AUTOMATIC_TAGS,
    ONE_BILLION_WAN,
    TEN_MILLION_WAN,
    AnnualPlan,
    MonthlyInvestment,
    Project,
    Tag,
    tags_from_text,
    tags_to_text,
)


def _norm(text: str) -> str:
    text = str(text).strip().lower().rstrip("*")
    for wide, narrow in (("（", "("), ("）", ")"), (" ", ""), ("\u3000", "")):
        text = text.replace(wide, narrow)
    return text


def parse_decimal(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not value.is_finite():
        raise ValueError(_("Not a number."))
    if value < 0:
        raise ValueError(_("Cannot be negative."))
    if value >= Decimal("1e14"):
        raise ValueError(_("Too large."))
    return value.quantize(Decimal("0.01"))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")


def parse_date(text: str) -> dt.date:
    text = text.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    match = _DATE.match(text)
    if not match:
        raise ValueError(_("Not a date (use 2025-03-31)."))
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("Not a date (use 2025-03-31).")) from None


def parse_int(text: str, low: int, high: int) -> int:
    text = text.strip().removesuffix("年").removesuffix("月")
    try:
        value = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a whole number.")) from None
    if not low <= value <= high:
        raise ValueError(_("Must be between {low} and {high}.").format(low=low, high=high))
    return value


@dataclass
class Col:
    name: str
    label: object  # lazy
    required: bool = False
    kind: str = "text"  # text, decimal, date, year, month, choice, zone, tags
    aliases: tuple[str, ...] = ()
    max_length: int = 200
    help: object = ""


def roomy_cache() -> None:
    """A larger page cache for this connection on SQLite: big imports update many indexes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")


class SheetImporter(ModelImporter):
    """Shared parts: header aliases in both languages, per-cell parsing, the import template."""

    columns: list[Col] = []

    def __init__(self, user):
        super().__init__(user)
        self._choice_aliases: dict[str, dict[str, str]] = {}

    def form_fields(self) -> dict[str, forms.Field]:
        return {
            c.name: forms.CharField(label=c.label, required=c.required, help_text=c.help)
            for c in self.columns
        }

    def header_map(self, headers: list[str]) -> dict[int, Col]:
        aliases: dict[str, Col] = {}
        for col in self.columns:
            aliases[_norm(col.name)] = col
            for alias in col.aliases:
                aliases[_norm(alias)] = col
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    aliases[_norm(str(col.label))] = col
        mapping = {}
        for index, header in enumerate(headers):
            col = aliases.get(_norm(header))
            if col and col not in mapping.values():
                mapping[index] = col
        missing = [str(c.label) for c in self.columns if c.required and c not in mapping.values()]
        if missing:
            raise ImportFileError(
                _("Required columns are missing: {columns}.").format(columns="、".join(missing))
            )
        return mapping

    def choice_map(self, name: str, choices) -> dict[str, str]:
        if name not in self._choice_aliases:
            table = {}
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    for value, label in choices:
                        table[_norm(str(label))] = value
                        table[_norm(value)] = value
            self._choice_aliases[name] = table
        return self._choice_aliases[name]

    # Kinds whose cells repeat (a file's year and month, choices, zones, tags, dates) and
    # whose parsing depends on the text alone: each distinct text is parsed once per import.
    CACHED_KINDS = frozenset({"choice", "zone", "tags", "year", "month", "date"})
    # Kinds a subclass's ``parse_cell`` parses itself instead of this class's.
    own_kinds: frozenset[str] = frozenset()

    def cached_cell(self, col: Col, text: str):
        if col.kind not in self.CACHED_KINDS:
            return self.parse_cell(col, text)
        cache = self.__dict__.setdefault("_cell_cache", {})
        key = (col.name, text)
        if key not in cache:
            try:
                cache[key] = (True, self.parse_cell(col, text))
            except ValueError as exc:
                cache[key] = (False, exc)
        ok, value = cache[key]
        if not ok:
            raise value.with_traceback(None)  # a repeated error: no traceback piling up
        return list(value) if isinstance(value, list) else value

    def row_plan(self, mapping: dict) -> list[tuple]:
        """Per mapped column, worked out once per file: (index, name, column, how to parse).

        How: "cached" (see ``CACHED_KINDS``), "text" (only its length is checked),
        "decimal", else "cell" (``parse_cell``). Text and decimal cells are parsed here
        directly, as ``SheetImporter.parse_cell`` does, unless a subclass names their kind in
        ``own_kinds`` (the kinds its ``parse_cell`` handles itself).
        """
        plan = self.__dict__.get("_row_plan")
        if plan is not None and plan[0] is mapping:
            return plan[1]
        steps = []
        for index, col in mapping.items():
            if col.kind in self.CACHED_KINDS:
                how = "cached"
            elif col.kind in ("text", "decimal") and col.kind not in self.own_kinds:
                how = col.kind
            else:
                how = "cell"
            steps.append((index, col.name, col, how))
        self._row_plan = (mapping, steps)
        return steps

    def parse_row(self, row_number, mapping, cells, errors) -> dict | None:
        """The row's parsed values by column name, or None after adding its errors."""
        values = {}
        ok = True
        count = len(cells)
        cache = self.__dict__.setdefault("_cell_cache", {})
        # This loop runs for every cell of a file: the usual cases are handled inline.
        for index, name, col, how in self.row_plan(mapping):
            text = cells[index].strip() if index < count else ""
            if not text:
                if col.required:
                    errors.append(RowError(row_number, str(col.label), "", _("Required.")))
                    ok = False
                values[name] = None
                continue
            try:
                if how == "text":
                    if len(text) > col.max_length:
                        raise ValueError(
                            _("At most {count} characters.").format(count=col.max_length)
                        )
                    values[name] = text
                elif how == "decimal":
                    values[name] = parse_decimal(text)
                elif how == "cached":
                    hit = cache.get((name, text))
                    if hit is not None and hit[0] and type(hit[1]) is not list:
                        values[name] = hit[1]
                    else:
                        values[name] = self.cached_cell(col, text)
                else:
                    values[name] = self.cached_cell(col, text)
            except ValueError as exc:
                errors.append(RowError(row_number, str(col.label), text, str(exc)))
                ok = False
        return values if ok else None

    def parse_cell(self, col: Col, text: str):
        if col.kind == "decimal":
            return parse_decimal(text)
        if col.kind == "date":
            return parse_date(text)
        if col.kind == "year":
            return parse_int(text, 2000, 2100)
        if col.kind == "month":
            return parse_int(text, 1, 12)
        if col.kind == "longitude":
            return geo.parse_coordinate(text, *CHINA_LONGITUDE, _("Longitude is outside China."))
        if col.kind == "latitude":
            return geo.parse_coordinate(text, *CHINA_LATITUDE, _("Latitude is outside China."))
        if len(text) > col.max_length:
            raise ValueError(_("At most {count} characters.").format(count=col.max_length))
        return text


PROJECT_COLUMNS = [
    Col("code", gettext_lazy("project code"), True, aliases=("项目编号", "项目代码", "编号")),
    Col("name", gettext_lazy("project name"), True, aliases=("项目名称",)),
    Col(
        "zone",
        gettext_lazy("zone"),
        True,
        "zone",
        aliases=("所属园区", "所属区域", "园区", "所在区域"),
        help=gettext_lazy("Zone code or name."),
    ),
    Col("owner_name", gettext_lazy("owner enterprise name"), aliases=("建设单位", "业主单位")),
    Col("industry", gettext_lazy("industry"), aliases=("所属行业", "行业"), max_length=100),
    Col("chain", gettext_lazy("industrial chain"), aliases=("产业链",), max_length=100),
    Col("type", gettext_lazy("project type"), True, "choice", aliases=("建设性质", "类型")),
    Col("category", gettext_lazy("category"), False, "choice", aliases=("项目类别",)),
    Col("stage", gettext_lazy("stage"), False, "choice", aliases=("建设阶段", "进展阶段")),
    Col(
        "total_investment",
        gettext_lazy("total investment (10k yuan)"),
        True,
        "decimal",
        aliases=("总投资", "总投资(万元)", "计划总投资"),
    ),
    Col("plan_year", gettext_lazy("plan year"), True, "year", aliases=("年度", "计划年度")),
    Col(
        "annual_plan",
        gettext_lazy("annual planned investment (10k yuan)"),
        True,
        "decimal",
        aliases=("年度计划投资", "年度计划投资(万元)", "本年计划投资"),
    ),
    Col(
        "completed_month",
        gettext_lazy("completed as of month"),
        False,
        "month",
        aliases=("截至月份", "统计月份"),
    ),
    Col(
        "completed_ytd",
        gettext_lazy("completed this year (10k yuan)"),
        False,
        "decimal",
        aliases=("本年累计完成投资", "本年累计完成投资(万元)", "累计完成投资"),
    ),
    Col("planned_start", gettext_lazy("planned start"), False, "date", aliases=("计划开工",)),
    Col("actual_start", gettext_lazy("actual start"), False, "date", aliases=("实际开工",)),
    Col(
        "planned_production",
        gettext_lazy("planned production"),
        False,
        "date",
        aliases=("计划投产",),
    ),
    Col(
        "actual_production", gettext_lazy("actual production"), False, "date", aliases=("实际投产",)
    ),
    Col(
        "planned_completion",
        gettext_lazy("planned completion"),
        False,
        "date",
        aliases=("计划竣工",),
    ),
    Col(
        "actual_completion", gettext_lazy("actual completion"), False, "date", aliases=("实际竣工",)
    ),
    Col(
        "tags",
        gettext_lazy("tags"),
        False,
        "tags",
        aliases=("项目标签",),
        help=gettext_lazy("Separated by 、 or commas, e.g. 春季开复工、省重点."),
    ),
    Col("leader_name", gettext_lazy("responsible leader"), aliases=("包保领导",), max_length=50),
    Col("special_team", gettext_lazy("special team"), aliases=("工作专班", "专班"), max_length=100),
    Col(
        "responsible_unit", gettext_lazy("responsible unit"), aliases=("责任单位",), max_length=100
    ),
    Col(
        "longitude",
        gettext_lazy("longitude"),
        False,
        "longitude",
        aliases=("经度", "经度(wgs84)", "lng", "lon"),
        help=gettext_lazy("WGS-84 degrees, e.g. 125.35; give latitude too."),
    ),
    Col(
        "latitude",
        gettext_lazy("latitude"),
        False,
        "latitude",
        aliases=("纬度", "纬度(wgs84)", "lat"),
        help=gettext_lazy("WGS-84 degrees, e.g. 43.88; give longitude too."),
    ),
]

PROJECT_FIELDS = [
    "name",
    "zone_id",
    "owner_name",
    "industry",
    "chain",
    "type",
    "category",
    "stage",
    "total_investment",
    "plan_year",
    "annual_plan",
    "planned_start",
    "actual_start",
    "planned_production",
    "actual_production",
    "planned_completion",
    "actual_completion",
    "tags",
    "leader_name",
    "special_team",
    "responsible_unit",
    "longitude",
    "latitude",
]


class DispatchSheetImporter(SheetImporter):
    """One row per project; the project code finds a project to update, else one is created."""

    model = Project
    columns = PROJECT_COLUMNS
    source_prefix = "import"
    own_kinds = frozenset({"choice", "zone", "tags"})

    def __init__(self, user, *, today: dt.date | None = None):
        super().__init__(user)
        self.today = today or dt.date.today()

    def parse_cell(self, col: Col, text: str):
        if col.kind == "choice":
            field = Project._meta.get_field(col.name)
            value = self.choice_map(col.name, field.choices).get(_norm(text))
            if value is None:
                labels = "、".join(str(label) for _value, label in field.choices)
                raise ValueError(_("Use one of: {labels}.").format(labels=labels))
            return value
        if col.kind == "zone":
            zone = self.zones_by_key.get(_norm(text))
            if zone is None:
                raise ValueError(_("No zone with this code or name that you may add projects in."))
            return zone
        if col.kind == "tags":
            table = self.choice_map("tags", Tag.choices)
            tags = []
            for part in re.split(r"[、,，;；/\s]+", text):
                if not part:
                    continue
                value = table.get(_norm(part))
                if value is None:
                    labels = "、".join(str(label) for _v, label in Tag.choices)
                    raise ValueError(
                        _("Unknown tag “{tag}”; use: {labels}.").format(tag=part, labels=labels)
                    )
                tags.append(value)
            return tags
        return super().parse_cell(col, text)

    def check_row(self, values: dict) -> list[tuple[str, str]]:
        """Rules across cells: (column label, reason) for each one broken."""
        problems = []
        label = self.labels
        for actual in ("actual_start", "actual_production", "actual_completion"):
            day = values.get(actual)
            if day and day > self.today:
                problems.append((label[actual], _("An actual date cannot be in the future.")))
        start, production = values.get("planned_start"), values.get("planned_production")
        if start and production and production < start:
            problems.append(
                (label["planned_production"], _("Planned production is before the planned start."))
            )
        completion = values.get("planned_completion")
        if start and completion and completion < start:
            problems.append(
                (label["planned_completion"], _("Planned completion is before the planned start."))
            )
        plan, total = values.get("annual_plan"), values.get("total_investment")
        if plan is not None and total is not None and plan > total:
            problems.append(
                (label["annual_plan"], _("The annual plan is larger than the total investment."))
            )
        if (values.get("longitude") is None) != (values.get("latitude") is None):
            missing = "latitude" if values.get("latitude") is None else "longitude"
            problems.append((label[missing], _("Give both longitude and latitude, or neither.")))
        ytd, month = values.get("completed_ytd"), values.get("completed_month")
        # 0 with no month is what the list exports for a project with nothing completed yet.
        if (month is None and ytd) or (month is not None and ytd is None):
            problems.append(
                (
                    label["completed_month"],
                    _("Give both the month and the year-to-date completed investment."),
                )
            )
        return problems

    @gc_paused
    def run(self, name: str, content: bytes) -> ImportResult:
        if not role_may(self.user, ADD, Project):
            raise PermissionDenied(_("Your role may not import records here."))
        roomy_cache()
        return super().run(name, content)

    def read(self, name: str, content: bytes) -> tuple[dict, list]:
        self._cell_cache = {}
        headers, rows = read_table(name, content)
        return self.header_map(headers), rows

    def check(self, table: tuple[dict, list], result: ImportResult) -> tuple:
        """Every row checked; (rows' values, the projects they change, the columns)."""
        mapping, rows = table
        self.labels = {c.name: str(c.label) for c in self.columns}
        zones = list(self.user.visible_zones())
        self.zones_by_key = {}
        for zone in zones:
            self.zones_by_key.setdefault(_norm(zone.name), zone)
            self.zones_by_key[_norm(zone.code)] = zone
        parsed, seen = self.parse_rows(mapping, rows, result.errors)
        changeable = self.changeable(list(seen), parsed, result.errors)
        return parsed, changeable, mapping

    def parse_rows(self, mapping: dict, rows: list, errors: list) -> tuple[list, dict]:
        """(row, values) of every good row, and the row of each project code."""
        parsed = []
        seen: dict[str, int] = {}
        code_label = str(PROJECT_COLUMNS[0].label)
        total = len(rows)
        for done, (row_number, cells) in enumerate(rows):
            if not done & 511:
                background.report(done, total, background.CHECKING)
            values = self.parse_row(row_number, mapping, cells, errors)
            if values is None:
                continue
            code = values["code"]
            if code in seen:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        code,
                        _("Duplicates row {row} of this file.").format(row=seen[code]),
                    )
                )
                continue
            seen[code] = row_number
            problems = self.check_row(values)
            for column, reason in problems:
                errors.append(RowError(row_number, column, "", reason))
            if not problems:
                parsed.append((row_number, values))
        return parsed, seen

    def changeable(self, codes: list[str], parsed: list, errors: list) -> dict[str, Project]:
        """The projects of ``codes`` the user may change; an error for each row whose code
        is another's project."""
        code_label = str(PROJECT_COLUMNS[0].label)
        changeable = {}
        for start in range(0, len(codes), 2000):
            chunk = codes[start : start + 2000]
            for project in (
                Project.objects.restrict(self.user, CHANGE)
                .filter(code__in=chunk)
                .select_related("zone")
            ):
                changeable[project.code] = project
        taken = set()
        for start in range(0, len(codes), 2000):
            chunk = [c for c in codes[start : start + 2000] if c not in changeable]
            taken |= set(Project.objects.filter(code__in=chunk).values_list("code", flat=True))
        for row_number, values in parsed:
            if values["code"] in taken:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        values["code"],
                        _("This project code belongs to a project you may not change."),
                    )
                )
        return changeable

    def write(self, name: str, plan: tuple, result: ImportResult) -> None:
        parsed, changeable, mapping = plan
        self.write_rows(name, parsed, changeable, mapping, result)

    def write_rows(self, name, parsed, existing: dict, mapping, result: ImportResult) -> None:
        source = f"{self.source_prefix}: {name}"[:300]
        present = {col.name for col in mapping.values()}
        new_rows, changed, audit_rows = [], [], []
        now = timezone.now()
        for _row, values in parsed:
            project = existing.get(values["code"])
            if project is None:
                new_rows.append(new_project_row(values, present, source))
                continue
            before = audit.snapshot(project)
            for field in PROJECT_FIELDS:
                key = field.removesuffix("_id")
                if key in present:
                    setattr(project, field, cell_value(field, values.get(key)))
            project.apply_automatic_tags()
            project.updated_at = now
            changes = audit.diff(before, audit.snapshot(project))
            if changes:
                changed.append(project)
                audit_rows.append(audit.change_row(project, ObjectChange.Action.UPDATE, changes))
        refs = insert_projects(new_rows)
        if changed:
            bulk.update(Project, changed, [*PROJECT_FIELDS, "updated_at"])
            ObjectChange.objects.bulk_create(audit_rows, batch_size=2000)
            # A changed plan year takes its 本年累计 from that year's figures.
            completed.refresh_completed([p.pk for p in changed])
        result.created, result.updated = len(new_rows), len(changed)
        for code, project in existing.items():
            refs[code] = Ref(project.pk, project.zone_id, code)
        self.write_plans(
            [(refs[v["code"]], v["plan_year"], v["annual_plan"]) for _r, v in parsed], source
        )
        monthly = [
            MonthEntry(
                refs[v["code"]].pk,
                refs[v["code"]].zone_id,
                v["code"],
                v["plan_year"],
                v["completed_month"],
                v["completed_ytd"],
            )
            for _r, v in parsed
            if v.get("completed_month")
        ]
        if monthly:
            write_monthly(monthly, source)
            completed.refresh_completed([entry.project_id for entry in monthly])

    def write_plans(self, items, source) -> None:
        ids = [ref.pk for ref, _year, _plan in items]
        existing = {}
        for start in range(0, len(ids), 2000):
            for plan in AnnualPlan.objects.filter(
                project_id__in=ids[start : start + 2000]
            ).select_related("project"):
                existing[(plan.project_id, plan.year)] = plan
        new, changed, audit_rows = [], [], []
        for ref, year, planned in items:
            plan = existing.get((ref.pk, year))
            if plan is None:
                row = {"project_id": ref.pk, "year": year, "planned": planned, "source": source}
                new.append((ref, row))
            elif plan.planned != planned:
                before = audit.snapshot(plan)
                plan.planned = planned
                plan.updated_at = timezone.now()
                changed.append(plan)
                audit_rows.append(
                    audit.change_row(
                        plan, ObjectChange.Action.UPDATE, audit.diff(before, audit.snapshot(plan))
                    )
                )
        insert_plans(new)
        if changed:
            bulk.update(AnnualPlan, changed, ["planned", "updated_at"])
            ObjectChange.objects.bulk_create(audit_rows, batch_size=2000)


@dataclass
class Ref:
    pk: int
    zone_id: int
    code: str


def cell_value(field: str, value):
    """A parsed cell as the model stores it (empty cells become the field's empty value)."""
    if field == "zone_id":
        return value.pk if value is not None else None
    if field == "tags":
        return tags_to_text(value or [])
    if value is None:
        model_field = Project._meta.get_field(field)
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return ""
    return value


PROJECT_DEFAULTS = {
    f.attname: f.get_default() for f in Project._meta.concrete_fields if not f.primary_key
}
AUDITED = [
    f.attname
    for f in Project._meta.concrete_fields
    if not f.primary_key and f.name not in Project.audit_exclude
]


def new_project_row(values: dict, present: set[str], source: str) -> dict:
    row = dict(PROJECT_DEFAULTS, code=values["code"], source=source)
    row["zone_id"] = values["zone"].pk
    for field in PROJECT_FIELDS:
        key = field.removesuffix("_id")
        if key in present:
            row[field] = cell_value(field, values.get(key))
    row["category"] = row["category"] or Project.Category.INDUSTRIAL
    row["stage"] = row["stage"] or Project.Stage.PLANNED
    total = row["total_investment"] or 0
    tags = [t for t in tags_from_text(row["tags"]) if t not in AUTOMATIC_TAGS]
    if total >= TEN_MILLION_WAN:
        tags.append(Tag.OVER_50M)
    if total >= ONE_BILLION_WAN:
        tags.append(Tag.OVER_1B)
    row["tags"] = tags_to_text(tags)
    return row


def insert_projects(rows: list[dict]) -> dict[str, Ref]:
    """Insert new projects in bulk, learn their ids and write their audit rows."""
    refs: dict[str, Ref] = {}
    if not rows:
        return refs
    bulk.insert_dicts(Project, rows)
    pks = bulk.inserted_pks(Project, len(rows))
    if pks is not None:
        for pk, row in zip(pks, rows, strict=True):
            refs[row["code"]] = Ref(pk, row["zone_id"], row["code"])
    else:
        by_code = {row["code"]: row for row in rows}
        codes = list(by_code)
        for start in range(0, len(codes), 2000):
            chunk = codes[start : start + 2000]
            for code, pk in Project.objects.filter(code__in=chunk).values_list("code", "pk"):
                refs[code] = Ref(pk, by_code[code]["zone_id"], code)
    bulk.log_created(
        Project,
        [
            (
                refs[row["code"]].pk,
                f"{row['code']} {row['name']}",
                row["zone_id"],
                {
                    name: value if type(value := row[name]) in AS_IS else audit._plain(value)
                    for name in AUDITED
                },
            )
            for row in rows
        ],
    )
    return refs


# Values that ``audit._plain`` returns unchanged.
AS_IS = frozenset({str, int, bool, float, type(None)})


def insert_plans(items: list[tuple[Ref, dict]]) -> None:
    if not items:
        return
    bulk.insert_dicts(AnnualPlan, [row for _ref, row in items])
    keys = {(row["project_id"], row["year"]): None for _ref, row in items}
    pks = bulk.inserted_pks(AnnualPlan, len(items))
    if pks is not None and len(keys) == len(items):
        keys.update(zip(keys, pks, strict=True))
    else:
        ids = sorted({row["project_id"] for _ref, row in items})
        for start in range(0, len(ids), 2000):
            for pk, project_id, year in AnnualPlan.objects.filter(
                project_id__in=ids[start : start + 2000]
            ).values_list("pk", "project_id", "year"):
                if (project_id, year) in keys:
                    keys[(project_id, year)] = pk
    bulk.log_created(
        AnnualPlan,
        [
            (
                keys[(row["project_id"], row["year"])],
                f"{ref.code} {row['year']}",
                ref.zone_id,
                {
                    "source": row["source"],
                    "project_id": row["project_id"],
                    "year": row["year"],
                    "planned": str(row["planned"]),
                    "baseline": None,
                },
            )
            for ref, row in items
        ],
    )


@dataclass(slots=True)
class MonthEntry:
    project_id: int
    zone_id: int
    code: str
    year: int
    month: int
    value: Decimal
    row: int | None = None


def write_monthly(entries: list[MonthEntry], source: str, known_new=frozenset()) -> tuple[int, int]:
    """Upsert (project, year, month, 本年累计) rows in bulk, with audit rows.

    ``known_new``: indexes of entries that cannot exist yet (a month after the project's
    latest), so no lookup is needed for them.
    """
    existing = stored_months([e for i, e in enumerate(entries) if i not in known_new])
    new, changed, audit_rows = [], [], []
    for entry in entries:
        row = existing.get((entry.project_id, entry.year, entry.month))
        if row is None:
            new.append(entry)
        elif row.completed_ytd != entry.value:
            before = audit.snapshot(row)
            row.completed_ytd = entry.value
            row.updated_at = timezone.now()
            changed.append(row)
            audit_rows.append(
                audit.change_row(
                    row, ObjectChange.Action.UPDATE, audit.diff(before, audit.snapshot(row))
                )
            )
    insert_months(new, source)
    if changed:
        bulk.update(MonthlyInvestment, changed, ["completed_ytd", "updated_at"])
        ObjectChange.objects.bulk_create(audit_rows, batch_size=2000)
    return len(new), len(changed)


def stored_months(entries: list[MonthEntry]) -> dict[tuple, MonthlyInvestment]:
    """The monthly rows already stored for ``entries``, by (project id, year, month)."""
    existing = {}
    if not entries:
        return existing
    ids = sorted({e.project_id for e in entries})
    years = sorted({e.year for e in entries})
    months = sorted({e.month for e in entries})
    for start in range(0, len(ids), 2000):
        for row in MonthlyInvestment.objects.filter(
            project_id__in=ids[start : start + 2000], year__in=years, month__in=months
        ).select_related("project"):
            existing[(row.project_id, row.year, row.month)] = row
    return existing


def insert_months(new: list[MonthEntry], source: str) -> None:
    """Insert new monthly rows with their audit rows."""
    if not new:
        return
    bulk.insert(
        MonthlyInvestment,
        ["project_id", "year", "month", "completed_ytd"],
        [(e.project_id, e.year, e.month, e.value) for e in new],
        {"source": source},
    )
    pks = bulk.inserted_pks(MonthlyInvestment, len(new))
    if pks is None:
        # The rows of one year and month: one (project, year, month) each, so their ids
        # are found without sending thousands of project ids back to the database.
        ids = {}
        wanted = {(e.project_id, e.year, e.month) for e in new}
        for year, month in sorted({(e.year, e.month) for e in new}):
            for pk, pid in MonthlyInvestment.objects.filter(year=year, month=month).values_list(
                "pk", "project_id"
            ):
                if (pid, year, month) in wanted:
                    ids[(pid, year, month)] = pk
        pks = [ids[(e.project_id, e.year, e.month)] for e in new]
    template = audit.created_template(
        {
            "source": source,
            "project_id": audit.INT,
            "year": audit.INT,
            "month": audit.INT,
            "completed_ytd": audit.TEXT,
        }
    )
    bulk.log_created(
        MonthlyInvestment,
        [
            (
                pk,
                f"{e.code} {e.year}-{e.month:02d}",
                e.zone_id,
                template % (e.project_id, e.year, e.month, e.value),
            )
            for pk, e in zip(pks, new, strict=True)
        ],
    )


MONTHLY_COLUMNS = [
    Col("code", gettext_lazy("project code"), True, aliases=("项目编号", "项目代码", "编号")),
    Col("year", gettext_lazy("year"), True, "year", aliases=("年度",)),
    Col("month", gettext_lazy("month"), True, "month", aliases=("月份", "截至月份")),
    Col(
        "completed_ytd",
        gettext_lazy("completed this year (10k yuan)"),
        True,
        "decimal",
        aliases=("本年累计完成投资", "本年累计完成投资(万元)", "累计完成投资"),
    ),
]


class MonthlyImporter(SheetImporter):
    """The monthly update: one row per project with its year-to-date completed investment."""

    model = MonthlyInvestment
    columns = MONTHLY_COLUMNS

    @gc_paused
    def run(self, name: str, content: bytes) -> ImportResult:
        if not role_may(self.user, CHANGE, Project):
            raise PermissionDenied(_("Your role may not import records here."))
        roomy_cache()
        return super().run(name, content)

    def read(self, name: str, content: bytes) -> tuple[dict, list, bool]:
        headers, rows = read_table(name, content, typed=True)
        return self.header_map(headers), rows, True

    @gc_paused
    def run_rows(self, name: str, mapping: dict, rows, *, typed: bool = False) -> ImportResult:
        """The import after reading: ``rows`` are (row number, cell texts) in ``mapping``'s
        column order; also what the bulk API sends its records through (row = index).
        ``typed``: cells as the spreadsheet reader gives them (``read_table(typed=True)``)."""
        if not role_may(self.user, CHANGE, Project):
            raise PermissionDenied(_("Your role may not import records here."))
        return self.import_rows(name, (mapping, rows, typed))

    def check(self, table: tuple[dict, list, bool], result: ImportResult) -> tuple:
        """Every row checked, against the projects and the months before it too: (monthly
        entries, the projects, the entries certainly new)."""
        mapping, rows, typed = table
        errors = result.errors
        parsed = self.parse_rows(mapping, rows, typed, errors)
        projects = self.known_projects({v["code"] for _r, v in parsed})
        entries = self.entries(parsed, projects, errors)
        known_new = self.check_cumulative(entries, projects, errors)
        return entries, projects, known_new

    def write(self, name: str, plan: tuple, result: ImportResult) -> None:
        entries, projects, known_new = plan
        created, updated = write_monthly(entries, f"import: {name}"[:300], known_new)
        self.refresh_projects(entries, projects)
        result.created, result.updated = created, updated

    def parse_rows(self, mapping: dict, rows, typed: bool, errors: list) -> list[tuple]:
        """(row, values) of every good row."""
        self._cell_cache = {}
        parsed = []
        seen: dict[tuple, int] = {}
        code_label = str(MONTHLY_COLUMNS[0].label)
        quick = typed_monthly_row(mapping) if typed else None
        total = len(rows) if isinstance(rows, list) else None
        for done, (row_number, cells) in enumerate(rows):
            if not done & 1023:
                background.report(done, total, background.CHECKING)
            values = quick(cells) if quick is not None else None
            if values is None:
                if typed:
                    cells = list(map(plain_cell, cells))
                values = self.parse_row(row_number, mapping, cells, errors)
                if values is None:
                    continue
            key = (values["code"], values["year"], values["month"])
            if key in seen:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        values["code"],
                        _("Duplicates row {row} of this file.").format(row=seen[key]),
                    )
                )
                continue
            seen[key] = row_number
            parsed.append((row_number, values))
        return parsed

    def known_projects(self, codes: set[str]) -> dict[str, "Known"]:
        """What is known of the projects of ``codes`` the user may change, by code."""
        codes = sorted(codes)
        projects = {}
        columns = ("code", "pk", "zone_id", "plan_year", "completed_ytd", "completed_month")
        changeable = Project.objects.restrict(self.user, CHANGE)
        if len(codes) > 500:
            # A zone's whole monthly update: reading the changeable projects once is cheaper
            # than sending thousands of codes to the database.
            wanted = set(codes)
            for info in changeable.values_list(*columns).iterator(chunk_size=5000):
                if info[0] in wanted:
                    projects[info[0]] = Known(*info)
        else:
            for info in changeable.filter(code__in=codes).values_list(*columns):
                projects[info[0]] = Known(*info)
        return projects

    def entries(self, parsed: list[tuple], projects: dict, errors: list) -> list["MonthEntry"]:
        """A monthly entry of each row; an error for each row of a project not changeable."""
        code_label = str(MONTHLY_COLUMNS[0].label)
        entries = []
        for row_number, values in parsed:
            project = projects.get(values["code"])
            if project is None:
                errors.append(
                    RowError(
                        row_number,
                        code_label,
                        values["code"],
                        _("No project with this code that you may change."),
                    )
                )
                continue
            entries.append(
                MonthEntry(
                    project.pk,
                    project.zone_id,
                    project.code,
                    values["year"],
                    values["month"],
                    values["completed_ytd"],
                    row_number,
                )
            )
        return entries

    def refresh_projects(self, entries: list[MonthEntry], projects: dict) -> None:
        """Keep each project's latest 本年累计 of its plan year (one UPDATE a changed project)."""
        latest: dict[int, MonthEntry] = {}
        plan_years = {p.pk: p for p in projects.values()}
        for entry in entries:
            known = plan_years[entry.project_id]
            if entry.year != known.plan_year:
                continue
            best = latest.get(entry.project_id)
            if best is None or entry.month > best.month:
                latest[entry.project_id] = entry
        updates = []
        for pid, entry in latest.items():
            known = plan_years[pid]
            if known.completed_month is None or entry.month >= known.completed_month:
                updates.append((entry.value, entry.month, pid))
        completed.set_completed(updates)

    def check_cumulative(self, entries: list[MonthEntry], projects: dict, errors) -> set[int]:
        """本年累计 never falls from one month to a later one of the same year.

        A project's latest figure of its plan year is on the project, so months after it are
        checked against it without reading the monthly rows; other months read them. Returns
        the indexes of entries that are certainly new rows.
        """
        by_pk = {p.pk: p for p in projects.values()}
        groups: dict[tuple, list[int]] = {}
        for index, entry in enumerate(entries):
            groups.setdefault((entry.project_id, entry.year), []).append(index)
        series: dict[tuple, dict[int, tuple[Decimal, int | None]]] = {}
        slow: list[tuple[int, int]] = []
        known_new = set()
        label = str(MONTHLY_COLUMNS[3].label)
        for key, indexes in list(groups.items()):
            known = by_pk[key[0]]
            if len(indexes) == 1 and key[1] == known.plan_year:
                # The usual monthly file: one month per project, after its latest month.
                entry = entries[indexes[0]]
                if known.completed_month is None or entry.month > known.completed_month:
                    known_new.add(indexes[0])
                    if known.completed_month is not None and entry.value < known.completed_ytd:
                        errors.append(
                            RowError(
                                entry.row,
                                label,
                                str(entry.value),
                                _(
                                    "Lower than month {month}'s year-to-date figure ({value})."
                                ).format(month=known.completed_month, value=known.completed_ytd),
                            )
                        )
                    del groups[key]
                    continue
            first = min(entries[i].month for i in indexes)
            if key[1] == known.plan_year and (
                known.completed_month is None or first > known.completed_month
            ):
                months = {}
                if known.completed_month is not None:
                    months[known.completed_month] = (known.completed_ytd, None)
                series[key] = months
                known_new.update(indexes)
            else:
                series[key] = {}
                slow.append(key)
        if slow:
            read_stored_months(series, slow)
        for key, indexes in groups.items():
            for index in indexes:
                entry = entries[index]
                series[key][entry.month] = (entry.value, entry.row)
        refuse_falls(series, label, errors)
        return known_new


def read_stored_months(series: dict[tuple, dict], keys: list[tuple[int, int]]) -> None:
    """The stored 本年累计 of each (project id, year) of ``keys``, by month, into ``series``."""
    ids = sorted({pid for pid, _year in keys})
    years = sorted({year for _pid, year in keys})
    wanted = set(keys)
    for start in range(0, len(ids), 2000):
        for pid, year, month, value in MonthlyInvestment.objects.filter(
            project_id__in=ids[start : start + 2000], year__in=years
        ).values_list("project_id", "year", "month", "completed_ytd"):
            if (pid, year) in wanted:
                series[(pid, year)][month] = (value, None)


def refuse_falls(series: dict[tuple, dict], label: str, errors: list) -> None:
    """An error for each row whose 本年累计 is lower than an earlier month's of its year
    (``series``: month → (value, row number or None for a stored figure))."""
    for months in series.values():
        previous = None
        for month in sorted(months):
            value, row_number = months[month]
            if previous is not None and value < previous[1] and row_number is not None:
                errors.append(
                    RowError(
                        row_number,
                        label,
                        str(value),
                        _("Lower than month {month}'s year-to-date figure ({value}).").format(
                            month=previous[0], value=previous[1]
                        ),
                    )
                )
            previous = (month, value)


CENT = Decimal("0.01")
MAX_AMOUNT = 1e14  # parse_decimal refuses amounts from here on


def typed_monthly_row(mapping: dict[int, Col]):
    """A parser of the usual monthly row (code text, year, month and amount numbers) straight
    from the spreadsheet's cells, giving what ``parse_row`` gives for their texts; None for
    any other row, which then goes the general way (with its errors named)."""
    at = {col.name: index for index, col in mapping.items()}
    code_at, year_at, month_at, value_at = (
        at["code"],
        at["year"],
        at["month"],
        at["completed_ytd"],
    )
    width = max(code_at, year_at, month_at, value_at) + 1
    code_length = MONTHLY_COLUMNS[0].max_length
    numbers = (float, int)

    def parse(cells: list) -> dict | None:
        if len(cells) < width:
            return None
        code, year, month, value = cells[code_at], cells[year_at], cells[month_at], cells[value_at]
        if (
            type(code) is not str
            or type(year) not in numbers
            or type(month) not in numbers
            or type(value) not in numbers
        ):
            return None
        code = code.strip()
        if not code or len(code) > code_length:
            return None
        if not (2000 <= year <= 2100 and 1 <= month <= 12 and 0 <= value < MAX_AMOUNT):
            return None
        if year != int(year) or month != int(month):
            return None
        # The amount's text as plain_cell writes it, then parse_decimal's rounding.
        text = str(int(value)) if value == int(value) else str(value)
        return {
            "code": code,
            "year": int(year),
            "month": int(month),
            "completed_ytd": Decimal(text).quantize(CENT),
        }

    return parse


@dataclass
class Known:
    code: str
    pk: int
    zone_id: int
    plan_year: int
    completed_ytd: Decimal
    completed_month: int | None
