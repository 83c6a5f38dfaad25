"""Import of the key-project dispatch sheet (重点项目调度表) and of the monthly update.

Both are all-or-nothing: every row is checked first and the full list of bad rows comes back;
only a clean file is written, in bulk (thousands of rows in a second), with audit rows.

The steps live in sub-modules by topic; this package re-exports their names so that
callers keep importing them from ``zoneops.projects.imports``."""

from zoneops.projects.imports.cells import (
    parse_date,
    parse_decimal,
    parse_int,
)
from zoneops.projects.imports.dispatch import (
    PROJECT_COLUMNS,
    DispatchSheetImporter,
)
from zoneops.projects.imports.monthly import (
    CENT,
    MAX_AMOUNT,
    MONTHLY_COLUMNS,
    Known,
    MonthlyImporter,
    read_stored_months,
    refuse_falls,
    typed_monthly_row,
)
from zoneops.projects.imports.sheet import (
    Col,
    SheetImporter,
    roomy_cache,
)
from zoneops.projects.imports.writes import (
    AS_IS,
    AUDITED,
    PROJECT_DEFAULTS,
    PROJECT_FIELDS,
    MonthEntry,
    Ref,
    cell_value,
    insert_months,
    insert_plans,
    insert_projects,
    new_project_row,
    stored_months,
    write_monthly,
)

__all__ = [
    "AS_IS",
    "AUDITED",
    "CENT",
    "Col",
    "DispatchSheetImporter",
    "Known",
    "MAX_AMOUNT",
    "MONTHLY_COLUMNS",
    "MonthEntry",
    "MonthlyImporter",
    "PROJECT_COLUMNS",
    "PROJECT_DEFAULTS",
    "PROJECT_FIELDS",
    "Ref",
    "SheetImporter",
    "cell_value",
    "insert_months",
    "insert_plans",
    "insert_projects",
    "new_project_row",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "read_stored_months",
    "refuse_falls",
    "roomy_cache",
    "stored_months",
    "typed_monthly_row",
    "write_monthly",
]
