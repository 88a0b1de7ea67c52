"""What an attacker found (issue 15): every error under /api/ is JSON (a 500
too), pages get the portal's own error pages, /healthz details are for
monitoring only, `next` stays inside the portal, the development key is
refused with DEBUG off and the API docs need a log-in in production."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from lienthong import urls as portal_urls
from tests.hardening.fixtures import world  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent


# --- a urlconf of the portal plus two views that fail, for the 500 answers ---
class BoomApi(APIView):
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("boom")
        return Response()


def boom_page(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/boom/", BoomApi.as_view()), path("boom/", boom_page), *portal_urls.urlpatterns]
# The portal's handlers (Django's defaults where it has none).
handler400 = getattr(portal_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(portal_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(portal_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_api_500_is_json_and_a_page_500_the_portals_own():
    client = Client(raise_request_exception=False)
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert list(api.json()) == ["non_field_errors"] and "Lỗi hệ thống" in api.json()["non_field_errors"][0]
    page = client.get("/boom/")
    assert page.status_code == 500 and "Lỗi hệ thống" in page.content.decode() and 'lang="vi"' in page.content.decode()


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404_and_a_page_the_portals_404(client):
    api = client.get("/api/v1/khong-co/")
    assert api.status_code == 404 and api.json() == {"detail": "Không tìm thấy."}
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.content.decode()


# --- /healthz ---
ANON = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.django_db
def test_healthz_gives_anonymous_callers_the_status_alone(client, settings):
    settings.HEALTHZ_TOKEN = "dung-token-giam-sat"
    for query in ("", "?queues=1"):
        response = client.get(f"/healthz{query}", **ANON)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
    wrong = client.get("/healthz?queues=1", HTTP_AUTHORIZATION="Bearer sai", **ANON)
    assert wrong.json() == {"status": "ok"}
    # A proxy on the same machine relays visitors: their requests are not local.
    relayed = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert relayed.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_details_for_the_monitoring_token_and_localhost(client, settings):
    settings.HEALTHZ_TOKEN = "dung-token-giam-sat"
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer dung-token-giam-sat", **ANON).json()
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"} and "worker" in body["checks"]
    assert "checks" in client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()


# --- next stays inside the portal ---
@pytest.mark.django_db
def test_a_staff_action_does_not_redirect_outside_the_portal(client, world):  # noqa: F811
    leg = world.own.legs["justice"]
    client.force_login(world.users["justice"])
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/", {"next": "https://evil.example/dang-nhap/"})
    assert response.status_code == 302 and response["Location"] == f"/can-bo/thu-tuc/{leg.pk}/"


@pytest.mark.django_db
def test_login_does_not_redirect_outside_the_portal(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_user(username="next-probe", password="Mk@12345678")
    response = client.post("/dang-nhap/?next=https://evil.example/", {
        "username": "next-probe", "password": "Mk@12345678", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


# --- settings ---
def test_the_development_key_is_an_error_with_debug_off(settings):
    settings.DEBUG, settings.SECRET_KEY = False, settings.DEV_SECRET_KEY
    assert "lienthong.E001" in [m.id for m in run_checks()]
    settings.DEBUG = True
    assert "lienthong.E001" not in [m.id for m in run_checks()]
    settings.DEBUG, settings.SECRET_KEY = False, secrets.token_urlsafe(50)
    assert "lienthong.E001" not in [m.id for m in run_checks()]


DOCS_PROBE = r"""
import json
import django
django.setup()
from django.test import Client
c = Client(HTTP_HOST="lienthong.example.vn", HTTP_X_FORWARDED_PROTO="https")
docs, schema = c.get("/api/docs/"), c.get("/api/schema/")
print(json.dumps({"docs": [docs.status_code, docs.get("Location", "")], "schema": schema.status_code}))
"""


def test_api_docs_and_schema_need_a_login_in_production():
    env = dict(os.environ, PRODUCTION="1", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="lienthong.example.vn",
               DJANGO_SETTINGS_MODULE="lienthong.settings", DEBUG="0")
    env.pop("TEST_DATABASE_NAME", None)
    done = subprocess.run([sys.executable, "-c", DOCS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["docs"][0] == 302 and probe["docs"][1].startswith("/dang-nhap/?next=/api/docs/")
    assert probe["schema"] in (401, 403)


@pytest.mark.django_db
def test_api_docs_stay_open_outside_production(client):
    assert client.get("/api/docs/").status_code == 200
