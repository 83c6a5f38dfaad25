"""Panels that one app adds to another app's detail page (an enterprise's open appeals, the
appeals raised on a visit), registered from the contributing app's AppConfig.ready(): the page's
app then never imports the contributor, and the dependency runs one way only.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DetailPanel:
    model: str  # the page's model as "app_label.model_name", e.g. "enterprises.enterprise"
    key: str
    template: str  # rendered with ``panel`` (the context below) and the page's context
    context: Callable[[object, object], dict]  # (request, obj) -> the panel's values
    order: int = 50


_registry: dict[str, list[DetailPanel]] = {}


def register(panel: DetailPanel) -> DetailPanel:
    panels = _registry.setdefault(panel.model, [])
    panels[:] = [p for p in panels if p.key != panel.key] + [panel]
    panels.sort(key=lambda p: (p.order, p.key))
    return panel


def panels_for(request, obj) -> list[dict]:
    """The panels of ``obj``'s detail page, each a dict with ``template`` and its values."""
    label = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return [
        {"key": p.key, "template": p.template, **p.context(request, obj)}
        for p in _registry.get(label, [])
    ]
