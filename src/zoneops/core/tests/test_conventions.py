"""Project-wide conventions that every app must keep; they fail when one is forgotten."""

import subprocess
import sys
from pathlib import Path

import django_filters
import pytest
from django.apps import apps
from django.conf import settings

from zoneops.core.models import ZoneopsModel
from zoneops.core.registries.app_modules import app_modules

# Fields no list filters by: bookkeeping, and derived tree columns.
NOT_FILTERED = {"id", "created_at", "updated_at", "path", "depth"}


def domain_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, ZoneopsModel) and model._meta.app_label in settings.ZONEOPS_APPS
    ]


def filtersets_for(model):
    found = dict(app_modules("filters"))
    if model._meta.app_label not in found:
        return []
    module = found[model._meta.app_label]
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, django_filters.FilterSet)
        and getattr(getattr(value, "_meta", None), "model", None) is model
    ]


@pytest.mark.parametrize("model", domain_models(), ids=lambda m: m._meta.label)
def test_every_model_field_has_a_filter(model):
    filtersets = filtersets_for(model)
    assert filtersets, f"{model._meta.label} has no FilterSet in its app's filters.py"
    covered = set()
    for filterset in filtersets:
        covered |= {f.field_name.split("__")[0] for f in filterset.base_filters.values()}
    exempt = set(getattr(model, "filter_exempt", ()))
    fields = {f.name for f in model._meta.concrete_fields} - NOT_FILTERED - exempt
    missing = sorted(fields - covered)
    assert not missing, f"{model._meta.label}: no filter for {missing}"


def test_every_translation_is_complete_and_up_to_date(tmp_path):
    """Every msgid the code uses is in each app's zh_Hans catalogue, translated, not fuzzy."""
    source = Path(__file__).resolve().parents[2]
    for app in settings.ZONEOPS_APPS:
        app_dir = source / app
        po = app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        has_strings = subprocess.run(
            [
                "grep",
                "-rlE",
                r"gettext|translate|_\(",
                "--include=*.py",
                "--include=*.html",
                str(app_dir),
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not has_strings:
            continue
        assert po.exists(), f"{app} has translatable strings but no zh_Hans catalogue"
        copy = tmp_path / app
        subprocess.run(["cp", "-r", str(app_dir), str(copy)], check=True)
        subprocess.run(
            [
                sys.executable,
                "-P",  # the app folder must not shadow the standard library (selectors.py)
                "-m",
                "zoneops",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-location",
                "--no-obsolete",
            ],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        untranslated = subprocess.run(
            [
                "msgattrib",
                "--untranslated",
                "--no-obsolete",
                str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "msgstr" not in untranslated, f"{app}: untranslated strings:\n{untranslated[:2000]}"
        # In the regenerated copy too: msgmerge marks a new msgid like an old one ("Accepted."
        # like "Accepted") fuzzy instead of untranslated, and the page would show English.
        for catalogue in (po, copy / "locale/zh_Hans/LC_MESSAGES/django.po"):
            fuzzy = subprocess.run(
                ["msgattrib", "--only-fuzzy", str(catalogue)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert "msgid" not in fuzzy, f"{app}: fuzzy or missing translations:\n{fuzzy[:2000]}"
        compiled = tmp_path / f"{app}.mo"
        subprocess.run(["msgfmt", "-o", str(compiled), str(po)], check=True)
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.read_bytes() == compiled.read_bytes(), (
            f"{app}: run msgfmt on {po}"
        )
