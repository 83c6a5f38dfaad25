from zoneops.notifications.testing import robot_server  # noqa: F401  (a fixture)
