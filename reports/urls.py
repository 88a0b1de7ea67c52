from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("bao-cao/", views.dashboard, name="dashboard"),
    path("bao-cao/ty-le-lien-thong/", views.adoption, name="adoption"),
    path("bao-cao/ngay/", views.daily_list, name="daily_list"),
    path("bao-cao/ngay/xem/", views.daily_preview, name="daily_preview"),
    path("bao-cao/ngay/<int:pk>/", views.daily_detail, name="daily_detail"),
    path("bao-cao/ngay/<int:pk>/tai/<str:kind>/", views.daily_file, name="daily_file"),
    path("bao-cao/tong-hop/", views.summary, name="summary"),
    path("bao-cao/so-lieu-ngoai-lien-thong/", views.outside_counts, name="outside_counts"),
]

# Difficulty reports are staff pages: lienthong/urls.py puts them in the
# `staff` namespace, beside the counter and the queues.
staff_urlpatterns = [
    path("can-bo/vuong-mac/", views.difficulties, name="difficulties"),
    path("can-bo/vuong-mac/<int:pk>/dong/", views.difficulty_close, name="difficulty_close"),
    path("can-bo/truy-cap-bat-thuong/", views.unusual_access, name="unusual_access"),
]
