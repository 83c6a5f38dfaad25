from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.access.permissions import VIEW, role_may
from zoneops.core.accounts.security import oversight_may_open, oversight_only

ADMINS_ONLY = "admins-only"

# Every app's entry, in the order staff think of them; entries of apps not yet installed
# are left out until their URLs exist.
NAVIGATION = [
    (_("Home"), "core:home", None),
    (_("Dashboard"), "reports:dashboard", None),
    (_("Zones"), "core:zone_list", "core.Zone"),
    (_("Enterprises"), "enterprises:enterprise_list", None),
    (_("Projects"), "projects:project_list", None),
    (_("Map"), "projects:map_index", None),
    (_("Investment leads"), "investment:lead_list", None),
    (_("Appeals"), "appeals:appeal_list", None),
    (_("Hazards"), "hazards:hazard_list", None),
    (_("Indicators"), "indicators:indicator_list", None),
    (_("Tasks"), "tasks:task_list", None),
    (_("Intake"), "intake:document_list", None),
    (_("Closed-loop cases"), "core:loopcase_list", "core.LoopCase"),
    (_("Departments"), "core:department_list", "core.Department"),
    (_("Work calendar"), "core:calendar", None),
    (_("Background jobs"), "jobs:job_list", "jobs.Job"),
    (_("Audit log"), "core:objectchange_list", "core.ObjectChange"),
    (_("Security events"), "core:securityevent_list", "core.SecurityEvent"),
    (_("Users and grants"), "admin:core_user_changelist", ADMINS_ONLY),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    from django.apps import apps

    items = []
    for label, url_name, model_label in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        if oversight_only(user) and not oversight_may_open(url):
            continue
        if model_label == ADMINS_ONLY:
            if not user.is_zone_admin:
                continue
        elif model_label and not role_may(user, VIEW, apps.get_model(model_label)):
            continue
        items.append(
            {"label": label, "url": url, "active": request.path.startswith(url) and url != "/"}
        )
    return {"navigation": items}
