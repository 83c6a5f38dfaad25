from django import template

register = template.Library()


@register.inclusion_tag("notifications/_enterprise_sms.html", takes_context=True)
def enterprise_messages(context, enterprise):
    """This month's messages to the enterprise against the limit (无事不扰), with a link to send
    one for users who may."""
    from zoneops.enterprises.models import Enterprise
    from zoneops.notifications import services

    user = context["request"].user
    used = services.enterprise_month_count(enterprise)
    limit = services.enterprise_monthly_limit()
    may_send = Enterprise.objects.restrict(user, "change").filter(pk=enterprise.pk).exists()
    return {"enterprise": enterprise, "used": used, "limit": limit, "may_send": may_send}
