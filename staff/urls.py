"""Staff pages under /can-bo/ (namespace `staff`). The project's URL
configuration adds the staff pages of other apps (difficulty reports,
contact points) to the same namespace."""
from __future__ import annotations

from django.urls import path

from staff import views as v

urlpatterns = [
    path("can-bo/mot-cua/", v.counter, name="counter"),
    path("can-bo/mot-cua/xem-truoc/", v.counter_preview, name="counter_preview"),
    path("can-bo/xa-phuong/", v.communes, name="communes"),
    path("can-bo/ho-so/", v.dossier_list, name="dossiers"),
    path("can-bo/ho-so/<str:code>/", v.dossier_detail, name="dossier"),
    path("can-bo/ho-so/<str:code>/phieu-hen/", v.receipt, name="receipt"),
    path("can-bo/ho-so/<str:code>/tra-ket-qua/", v.dossier_returned, name="dossier_returned"),
    path("can-bo/ho-so/<str:code>/rut/", v.dossier_withdraw, name="dossier_withdraw"),
    path("can-bo/ho-so/<str:code>/bo-sung/", v.dossier_supplement, name="dossier_supplement"),
    path("can-bo/ho-so/<str:code>/giay-to/<int:pk>/", v.attachment_download, name="attachment"),
    path("can-bo/ho-so/<str:code>/van-ban/<int:pk>/", v.document_download, name="document"),
    path("can-bo/hang-doi/", v.queue, name="queue"),
    path("can-bo/thu-tuc/<int:leg_id>/", v.leg_detail, name="leg"),
    path("can-bo/thu-tuc/<int:leg_id>/tiep-nhan/", v.leg_accept, name="leg_accept"),
    path("can-bo/thu-tuc/<int:leg_id>/yeu-cau-bo-sung/", v.leg_request_supplement, name="leg_supplement"),
    path("can-bo/thu-tuc/<int:leg_id>/hoan-thanh/", v.leg_complete, name="leg_complete"),
    path("can-bo/thu-tuc/<int:leg_id>/tu-choi/", v.leg_reject, name="leg_reject"),
]
