from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "zoneops.tasks"
    label = "tasks"
