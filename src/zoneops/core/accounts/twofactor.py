"""The second factor (等保 2.0 level 3: two kinds of authentication for administrators).

Time-based one-time passwords (RFC 6238, what every authenticator app speaks): 6 digits,
30-second steps, one step of clock drift either way. A code is good once: the step it matched
is kept next to the secret (``User.totp_secret`` = ``"<base32 secret>:<last used step>"``, a
field that is neither editable nor audited), and a code of that step or an earlier one is
refused afterwards.

ZONEOPS_REQUIRE_ADMIN_TOTP = True   administrators (the three of 三员分立 and superusers) must
                                    enrol before they can do anything; off only for development
"""

import hmac
import time

import pyotp
import segno
from django.conf import settings

STEP_SECONDS = 30
DRIFT_STEPS = 1
ISSUER = "zoneops"


def required_for(user) -> bool:
    """Whether ``user`` may not work without a confirmed second factor."""
    return bool(getattr(settings, "ZONEOPS_REQUIRE_ADMIN_TOTP", True)) and user.is_administrator


def needs_enrolment(user) -> bool:
    return required_for(user) and not user.has_second_factor


def new_secret() -> str:
    return pyotp.random_base32()


def split(stored: str) -> tuple[str, int]:
    """``(secret, last used step)`` of a stored value (step -1: no code used yet)."""
    secret, _sep, step = (stored or "").partition(":")
    return secret, int(step) if step.isdigit() else -1


def join(secret: str, step: int) -> str:
    return f"{secret}:{step}"


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code ``code`` is (within the allowed drift), or None."""
    code = "".join((code or "").split())
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = current_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.get_username(), issuer_name=ISSUER
    )


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG ``data:`` URI for an ``<img>`` (the CSP allows ``img-src data:``)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
