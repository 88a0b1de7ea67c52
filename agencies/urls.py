"""Staff pages of this app, in the `staff` namespace (lienthong/urls.py)."""
from __future__ import annotations

from django.urls import path

from agencies import views

staff_urlpatterns = [
    path("can-bo/dau-moi/", views.contacts, name="contacts"),
]
