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
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
