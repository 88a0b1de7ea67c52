"""REST API v1 routes of the dossiers app (included under /api/v1/)."""
from __future__ import annotations

from django.urls import path

from dossiers import api

urlpatterns = [
    path("dossiers/", api.DossierListCreateApi.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", api.DossierDetailApi.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/supplement/", api.DossierSupplementApi.as_view(), name="api-dossier-supplement"),
    path("dossiers/<str:code>/withdraw/", api.DossierWithdrawApi.as_view(), name="api-dossier-withdraw"),
    path("legs/", api.LegQueueApi.as_view(), name="api-legs"),
    path("legs/<int:leg_id>/accept/", api.LegAcceptApi.as_view(), name="api-leg-accept"),
    path("legs/<int:leg_id>/request-supplement/", api.LegRequestSupplementApi.as_view(),
         name="api-leg-request-supplement"),
    path("legs/<int:leg_id>/complete/", api.LegCompleteApi.as_view(), name="api-leg-complete"),
    path("legs/<int:leg_id>/reject/", api.LegRejectApi.as_view(), name="api-leg-reject"),
]
