"""Hardening: deployment checks, security headers and the content
security policy, log-in throttling (django-axes) and the upload size limits."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from agencies.models import Role
from dossiers.models import Dossier
from tests.dossiers.payloads import birth_payload
from tests.factories import UserFactory, unit
from tests.hardening.world import PDF

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Dung-Mat-Khau-2026"
PRODUCTION_HOST = "lienthong.example.vn"


def _production_env() -> dict[str, str]:
    env = dict(os.environ, PRODUCTION="1", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS=PRODUCTION_HOST,
               DJANGO_SETTINGS_MODULE="lienthong.settings", DEBUG="0",
               PORTAL_BASE_URL=f"https://{PRODUCTION_HOST}")
    # The test runner's own switches are not part of a deployment.
    for name in ("TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


# --- deployment -----------------------------------------------------------------------

def test_check_deploy_is_clean_with_production_settings():
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=_production_env(), capture_output=True, text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output


@pytest.mark.parametrize("command", [["check", "--deploy"], ["check"]])
def test_production_refuses_to_start_without_its_public_address(command):
    """QR codes, SMS and e-mails carry absolute links: without
    PORTAL_BASE_URL a production deployment is an error, for `check --deploy`
    and for every command that runs the checks (migrate in the release
    step, runserver)."""
    env = _production_env()
    del env["PORTAL_BASE_URL"]
    done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "lienthong.E002" in output and "PORTAL_BASE_URL" in output, output


PRODUCTION_PROBE = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="lienthong.example.vn")
plain = c.get("/dang-nhap/")
health = c.get("/healthz")
secure = c.get("/dang-nhap/", HTTP_X_FORWARDED_PROTO="https")
cookie = secure.cookies.get("csrftoken")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "health_redirected": health.status_code in (301, 302),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": bool(cookie and cookie["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_production_redirects_to_https_with_hsts_and_secure_cookies():
    done = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=_production_env(),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["plain"] == [301, f"https://{PRODUCTION_HOST}/dang-nhap/"]
    # The load balancer's plain-HTTP health probe is answered, not redirected.
    assert not probe["health_redirected"]
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["csrf_cookie_secure"] and probe["session_cookie_secure"] and probe["session_cookie_httponly"]


# --- headers ----------------------------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/dang-nhap/", "/tra-cuu/", "/api/v1/dossiers/"])
def test_content_security_policy_and_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp.get("default-src") == ["'self'"], response.headers
    # No inline scripts, no eval: every script is a static file of the portal.
    assert csp.get("script-src") == ["'self'"]
    assert csp.get("style-src") == ["'self'", "'unsafe-inline'"]
    assert csp.get("img-src") == ["'self'", "data:"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("form-action") == ["'self'"]
    assert "Content-Security-Policy-Report-Only" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


# --- log-in throttling ------------------------------------------------------------------

@pytest.fixture
def member(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="mx-throttle", role=Role.ONE_STOP_CLERK, unit=unit("29926"), password=PASSWORD)


def _login(client, username: str, password: str):
    return client.post("/dang-nhap/", {"username": username, "password": password})


def test_a_correct_login_works_after_a_few_mistakes(client, member):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, member.username, "sai-mat-khau").status_code == 200
    response = _login(client, member.username, PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_five_failures_lock_the_username_out_for_15_minutes(client, member):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    for attempt in range(1, 6):
        response = _login(client, member.username, "sai-mat-khau")
        assert response.status_code == (200 if attempt < 5 else 429), attempt
    # Locked: even the right password is refused, with a message in Vietnamese.
    response = _login(client, member.username, PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "15 phút" in body and "đăng nhập sai" in body
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (username + IP).
    other = UserFactory(username="mx-throttle-2", role=Role.CITIZEN, password=PASSWORD)
    assert _login(client, other.username, PASSWORD).status_code == 302


def test_the_api_token_endpoint_is_throttled_too(client, member):
    url = "/api/v1/auth/token/"
    assert client.post(url, {"username": member.username, "password": PASSWORD}).status_code == 200
    for attempt in range(1, 6):
        response = client.post(url, {"username": member.username, "password": "sai-mat-khau"})
        # As the web form: the fifth mistake locks the pair out.
        assert response.status_code == (400 if attempt < 5 else 429), attempt
    # Locked out: even the right password gets no token, and the API says so
    # (429, in the shape of the endpoint's other refusals), not "wrong password".
    response = client.post(url, {"username": member.username, "password": PASSWORD})
    assert response.status_code == 429, response.content
    [message] = response.json()["non_field_errors"]
    assert list(response.json()) == ["non_field_errors"] and "15 phút" in message and "đăng nhập sai" in message
    assert int(response.headers["Retry-After"]) == 15 * 60
    english = client.post(url, {"username": member.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and "15 minutes" in english.json()["non_field_errors"][0]


# --- size limits --------------------------------------------------------------------------

@pytest.fixture
def clerk_api(client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    token = Token.objects.create(user=member)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_an_attachment_over_10_mb_is_refused_naming_the_field(clerk_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = PDF + b"0" * (django_settings.MAX_UPLOAD_SIZE + 1 - len(PDF))
    response = clerk_api.post("/api/v1/dossiers/", {
        "payload": json.dumps(birth_payload(channel="one_stop")),
        "attachments": [SimpleUploadedFile("to.pdf", big, content_type="application/pdf")]})
    assert response.status_code in (400, 413), response.content[:300]
    assert any(key.split(".")[0] == "attachments" for key in response.json()), response.json()
    assert not Dossier.objects.exists()


def test_a_form_body_over_the_limit_is_a_clear_400_not_a_500(client, db):
    response = client.post("/tra-cuu/", {"code": "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code in (400, 413)


def test_an_api_json_body_over_the_limit_is_refused_before_parsing(clerk_api):
    payload = birth_payload(channel="one_stop")
    payload["applicant"]["note"] = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = clerk_api.post("/api/v1/dossiers/", payload, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert response.json() == {"non_field_errors": ["Dữ liệu gửi lên quá lớn (tối đa 25 MB mỗi lần gửi)."]}
    assert not Dossier.objects.exists()
