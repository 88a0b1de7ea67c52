"""HTML pages of the dossiers app: staff pages (namespace `staff`, module
`urls_staff`) and citizen and public pages (namespace `citizen`, module
`urls_citizen`)."""
from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include(("dossiers.urls_staff", "staff"))),
    path("", include(("dossiers.urls_citizen", "citizen"))),
]
