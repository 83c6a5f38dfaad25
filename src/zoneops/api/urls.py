from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from zoneops.api import core_resources
from zoneops.core.apps_registry import app_modules

router = DefaultRouter()
core_resources.register(router)
for _app, module in app_modules("api"):
    # Each app's api.py registers its viewsets under its own prefix (/api/enterprises/ …).
    if hasattr(module, "register"):
        module.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
