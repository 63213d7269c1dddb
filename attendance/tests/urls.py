"""The project's URLs with the public check-in route, until `config/urls.py` includes it."""

from django.urls import include, path

from config.urls import handler400, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *(
        []
        if any(str(p.pattern) == "emargement/" for p in project_urlpatterns)
        else [
            path("emargement/", include("attendance.urls")),
        ]
    ),
    *project_urlpatterns,
]
