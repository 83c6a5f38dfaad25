"""Loaded with ``-p`` before Django's settings: tests talk plain HTTP to the test client."""

import os

os.environ.setdefault("ZONEOPS_HTTPS", "0")
