"""The key-project dispatch sheet (重点项目调度表): projects with their annual plans."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.core.access.permissions import ADD, CHANGE, role_may
from zoneops.core.audit import bulk
from zoneops.core.audit import trail as audit
from zoneops.core.files.imports import (
    ImportResult,
    RowError,
    gc_paused,
    read_table,
)
from zoneops.core.models import ObjectChange
from zoneops.core.registries import background, rollups
from zoneops.projects import completed
from zoneops.projects import rollups as project_rollups
from zoneops.projects.imports.cells import _norm
from zoneops.projects.imports.sheet import Col, SheetImporter, roomy_cache
from zoneops.projects.imports.writes import (
    PROJECT_FIELDS,
    MonthEntry,
    Ref,
    cell_value,
    insert_plans,
    insert_projects,
    new_project_row,
    write_monthly,
)
from zoneops.projects.models import (
    AnnualPlan,
    Project,
    Tag,
)

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

    @rollups.batched  # each touched zone's roll-ups once, at the end
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
        # New and changed projects went past the model signals: their zones' lights again.
        project_rollups.touch_zones(ref.zone_id for ref in refs.values())

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
