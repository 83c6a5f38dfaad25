from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "zoneops.investment"
    label = "investment"
