from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
