"""Core's pages and what every app builds its pages from: generic list, detail, edit, delete and
import views (``generic``), columns (``tables``), forms, filters and widgets, core's own pages
(``views``, ``auth_views``, ``calendar_views``), phone forms sent once (``submissions``),
middleware, the navigation, and uniform view tests (``testing``).
"""
