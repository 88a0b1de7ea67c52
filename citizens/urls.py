"""Citizens' pages (/cong-dan/), public tracking (/tra-cuu/), document
verification (/xac-minh/<token>/), sign-up (/dang-ky/) and password reset
(/quen-mat-khau/). Namespace `citizen`."""
from __future__ import annotations

from django.urls import path

from citizens import views as v

urlpatterns = [
    path("cong-dan/", v.home, name="home"),
    path("cong-dan/nop-ho-so/", v.wizard, name="wizard"),
    path("cong-dan/nop-ho-so/<int:draft_id>/xoa/", v.wizard_delete, name="wizard_delete"),
    path("cong-dan/nop-ho-so/<int:draft_id>/tep/<int:file_id>/xoa/", v.wizard_file_remove, name="wizard_file_remove"),
    path("cong-dan/nop-ho-so/<int:draft_id>/<slug:step>/", v.wizard_step, name="wizard_step"),
    path("cong-dan/xa-phuong/", v.communes, name="communes"),
    path("cong-dan/du-lieu-cua-toi/", v.my_data, name="my_data"),
    path("cong-dan/ho-so/<str:code>/", v.dossier_detail, name="dossier"),
    path("cong-dan/ho-so/<str:code>/bo-sung/", v.supplement, name="supplement"),
    path("cong-dan/ho-so/<str:code>/danh-gia/", v.rate, name="rate"),
    path("cong-dan/ho-so/<str:code>/van-ban/<slug:kind>/", v.document_download, name="document_download"),
    path("tra-cuu/", v.track, name="track"),
    path("xac-minh/<str:token>/", v.verify, name="verify"),
    path("dang-ky/", v.signup, name="signup"),
    path("dang-ky/xac-nhan/", v.signup_confirm, name="signup_confirm"),
    path("quen-mat-khau/", v.password_reset, name="password_reset"),
    path("quen-mat-khau/dat-lai/", v.password_reset_confirm, name="password_reset_confirm"),
]
