"""The enterprise registry as the appeals app sees it (``enterprises.Enterprise``)."""

from zoneops.enterprises.models import Enterprise


def find_enterprise(uscc: str) -> Enterprise | None:
    """The registered, not deregistered enterprise with this (normalised) USCC, or None."""
    return (
        Enterprise.objects.select_related("zone")
        .filter(uscc=uscc)
        .exclude(status=Enterprise.Status.DEREGISTERED)
        .first()
    )


def zone_of(enterprise: Enterprise):
    return enterprise.zone


def name_of(enterprise: Enterprise) -> str:
    return enterprise.name


def link_value(enterprise: Enterprise) -> Enterprise:
    return enterprise
