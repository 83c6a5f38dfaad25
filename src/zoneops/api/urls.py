from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zoneops.api import core_resources
from zoneops.api.routers import PlainRouter
from zoneops.core.registries.app_modules import app_modules
from zoneops.core.rest.errors import error_body

router = PlainRouter()
core_resources.register(router)
for _app, module in app_modules("api"):
    # Each app's api.py registers each viewset under its own plain prefix (/api/visits/ …).
    if hasattr(module, "register"):
        module.register(router)


@csrf_exempt  # a write to an address that does not exist is a 404, whoever sends it
def not_found(request, **kwargs):
    return JsonResponse(error_body(404), status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    # Any other /api/…/ address (an id that is not a number …): 404 in the API's error shape.
    re_path(r"^(?:.*/)?$", not_found),
]
