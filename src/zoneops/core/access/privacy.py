"""Personal data shown to people who do not need it in full."""


def mask_personal(instance, attname: str, value):
    """``value`` masked when ``attname`` is one of the model's ``personal_fields``."""
    if attname in getattr(instance, "personal_fields", ()) and isinstance(value, str):
        return mask_phone(value)
    return value


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last four digits."""
    digits = (phone or "").strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
