"""Finding each domain app's optional modules (demo.py, generate.py, api.py) in app order."""

import importlib
from types import ModuleType

from django.apps import apps
from django.conf import settings


def app_modules(name: str) -> list[tuple[str, ModuleType]]:
    """``(app, module)`` for every zoneops app that has ``zoneops.<app>.<name>``, or keeps it
    elsewhere as its AppConfig's ``module_paths`` say (core: in its sub-packages)."""
    found = []
    for app in settings.ZONEOPS_APPS:
        path = getattr(apps.get_app_config(app), "module_paths", {}).get(name, name)
        dotted = f"zoneops.{app}.{path}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue
        found.append((app, module))
    return found
