"""The ``zoneops`` console command: Django's manage.py for this project."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "zoneops"
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        argv[1] = "help"
    if len(argv) > 1 and argv[1] not in WITHOUT_DATA and not argv[1].startswith("-"):
        problem = missing_database()
        if problem:
            sys.stderr.write(problem + "\n")
            sys.exit(2)
    execute_from_command_line(argv)


# Commands that make the database, or need none: every other one reads or writes the data.
WITHOUT_DATA = frozenset(
    {
        "help",
        "version",
        "migrate",
        "demo",
        "restore",
        "check",
        "makemigrations",
        "makemessages",
        "compilemessages",
        "showmigrations",
        "sqlmigrate",
        "collectstatic",
        "findstatic",
        "diffsettings",
        "shell",
        "dbshell",
        "test",
    }
)


def missing_database() -> str:
    """Why the command cannot run on this database ("" when it is migrated).

    Connecting to SQLite creates an empty file: a command run from another directory (or with
    another data directory) would otherwise fail deep inside with "no such table core_zone".
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        where = str(database["NAME"])
        exists = where != ":memory:" and os.path.exists(where) and os.path.getsize(where) > 0
    else:
        where = f"{database.get('HOST') or 'localhost'}/{database.get('NAME')}"
        exists = True
    if exists:
        try:
            migrated = "core_zone" in connection.introspection.table_names()
        finally:
            connection.close()
        if migrated:
            return ""
    return (
        f"zoneops: no zoneops database at {where} (data directory {settings.DATA_DIR}).\n"
        "Set ZONEOPS_DATA_DIR to the data directory that holds zoneops.sqlite3 (or DATABASE_URL "
        "to the PostgreSQL database), or create one here with `zoneops migrate` "
        "(`zoneops demo` for the demo data)."
    )


if __name__ == "__main__":
    main()
