from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese(client):
    html = client.get("/dang-nhap/").content.decode()
    assert "Đăng nhập" in html and "Mật khẩu" in html and 'lang="vi"' in html


def test_login_page_switches_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    html = client.get("/dang-nhap/").content.decode()
    assert 'lang="en"' in html and "Password" in html and "Mật khẩu" not in html


def test_token_endpoint_returns_a_token(client, django_user_model):
    django_user_model.objects.create_user(username="api", password="Mk@12345678")
    ok = client.post("/api/v1/auth/token/", {"username": "api", "password": "Mk@12345678"})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post("/api/v1/auth/token/", {"username": "api", "password": "sai"})
    assert bad.status_code == 400


def test_healthz_reports_database_redis_and_worker(client):
    body = client.get("/healthz").json()
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["redis"] == {"ok": True}
    # Whether a worker answers depends on what runs beside the tests: the
    # answer must at least be consistent (ok exactly when some worker replied).
    worker = body["checks"]["worker"]
    assert set(worker) == {"ok", "workers"} and worker["ok"] is bool(worker["workers"]), worker
    assert all("@" in name for name in worker["workers"]), worker  # celery@host
    assert body["status"] == "ok"


def test_admin_is_vietnamese(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Đơn vị hành chính" in html
