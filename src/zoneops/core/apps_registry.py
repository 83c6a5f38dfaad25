"""Finding each domain app's optional modules (demo.py, generate.py, api.py) in app order."""

import importlib
from types import ModuleType

from django.conf import settings


def app_modules(name: str) -> list[tuple[str, ModuleType]]:
    """``(app, module)`` for every zoneops app that has ``zoneops.<app>.<name>``."""
    found = []
    for app in settings.ZONEOPS_APPS:
        try:
            module = importlib.import_module(f"zoneops.{app}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"zoneops.{app}.{name}":
                raise
            continue
        found.append((app, module))
    return found
