from django.urls import path, re_path

from cairn.api.errors import api_index, endpoint_not_found
from cairn.api.main import api

urlpatterns = [
    path("", api_index, name="api_index"),
    path("", api.urls),
    re_path(r"^(?P<path>.*)$", endpoint_not_found, name="api_endpoint_not_found"),
]
