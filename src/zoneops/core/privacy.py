"""Personal data shown to people who do not need it in full."""


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last four digits."""
    digits = (phone or "").strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
