from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "zoneops.enterprises"
    label = "enterprises"
