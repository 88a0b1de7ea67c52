from __future__ import annotations

from django.urls import path

from reports import api

urlpatterns = [
    path("outside-counts/", api.OutsideCountApi.as_view(), name="api-outside-counts"),
    path("reports/adoption/", api.AdoptionApi.as_view(), name="api-reports-adoption"),
    path("reports/daily/", api.DailyReportApi.as_view(), name="api-reports-daily"),
]
