"""Contact phone numbers: who may read them whole, and the clean form they are stored in."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zoneops.core.access.privacy import mask_phone
from zoneops.enterprises.models import (
    Contact,
)


def may_see_phones(user) -> bool:
    """Administrators, zone staff and liaison cadres call enterprises; leaders read masked."""
    return bool(user and user.is_authenticated and user.is_superuser) or (
        getattr(user, "role", None) in Contact.phone_roles
    )


def phone_for(user, phone: str) -> str:
    return phone if may_see_phones(user) else mask_phone(phone)


MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def clean_phone(text: str) -> str:
    """A contact's phone as stored: an 11-digit mobile (``13812341234``) or a landline with
    its area code as digits (``043188600010``, an extension after a hyphen: ``043188600010-801``).

    Spaces, hyphens, brackets and a leading +86 are accepted and dropped; anything else raises
    ``ValidationError``. Empty stays empty.
    """
    raw = (text or "").strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s()（）]", "", raw).lower()
    compact = re.sub(r"^(?:\+|00)?86(?=1[3-9]\d{9}$)", "", compact)
    if MOBILE_RE.fullmatch(compact.replace("-", "")):
        return compact.replace("-", "")
    match = re.fullmatch(r"(0\d{2,3})-?(\d{7,8})(?:(?:转|ext\.?|x|-)(\d{1,6}))?", compact)
    if match:
        area, number, extension = match.groups()
        return f"{area}{number}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        _(
            "Not a phone number: give an 11-digit mobile number (13812341234) or a landline "
            "with its area code (0431-88600010)."
        ),
        code="phone",
    )
