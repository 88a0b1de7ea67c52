from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import urls as agency_urls
from agencies import views as agency_views
from lienthong.api import TokenView
from reports import urls as report_urls
from staff import urls as staff_urls

admin.site.site_header = "Liên thông – Quản trị hệ thống"
admin.site.site_title = "Liên thông"
admin.site.index_title = "Danh mục và dữ liệu"

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("dossiers.api_urls")),
    path("", include("reports.api_urls")),
]

urlpatterns = [
    path("", agency_views.landing, name="landing"),
    path("trang-chu/", agency_views.home, name="home"),
    path("healthz", agency_views.healthz, name="healthz"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Signed-in users only in production (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] for the schema).
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", (login_required if settings.PRODUCTION else (lambda view: view))(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger"),
    # One `staff` namespace for every page of the staff navigation, whichever
    # app serves it.
    path("", include((staff_urls.urlpatterns + report_urls.staff_urlpatterns + agency_urls.staff_urlpatterns,
                      "staff"))),
    path("", include(("citizens.urls", "citizen"))),
    path("", include("reports.urls")),
    # Media (attachments, documents) are served only through views that
    # check access; this route exists for DEBUG development only.
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler400 = "lienthong.error_views.bad_request"
handler403 = "lienthong.error_views.permission_denied"
handler404 = "lienthong.error_views.page_not_found"
handler500 = "lienthong.error_views.server_error"
