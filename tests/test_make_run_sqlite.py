"""The newcomer's first command: `make run` without DATABASE_URL runs the
portal on SQLite with Celery tasks eager. In a subprocess without
DATABASE_URL/REDIS_URL: migrate, seed the demo and make the demo signing key
(as bin/run does), then
- every demo user's landing page and every link on it (one level deep), the
  reports' exports and API, and /healthz must answer without a server error;
- the demo clerk submits a birth dossier through the API with a token, the
  demo justice officer registers the birth, and the next legs open and the
  signed birth certificate is issued by the in-process (eager) tasks alone.

The rest of the suite runs on PostgreSQL; this test only drives subprocesses
on a throw-away SQLite file, so it needs no database fixture.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run inside the SQLite-configured subprocess (DJANGO_SETTINGS_MODULE set).
CRAWL = r'''
import re
import sys

import django

django.setup()
from django.db import connection
from django.test import Client

from agencies.models import User

assert connection.vendor == "sqlite", connection.vendor
DEMO = ["congdan", "motcua.tanhong", "tuphap.tanhong", "congan.tanhong", "bhxh.dongthap",
        "laodong.dongthap", "tinh.dongthap", "quantri"]
# Reached through forms or parameters rather than plain links on the landing page.
EXTRA = {"tinh.dongthap": [
    "/bao-cao/ty-le-lien-thong/?format=xlsx", "/bao-cao/ty-le-lien-thong/?format=pdf",
    "/bao-cao/ty-le-lien-thong/?group_by=commune", "/bao-cao/ngay/xem/", "/bao-cao/ngay/xem/?format=xlsx",
    "/bao-cao/ngay/xem/?format=pdf", "/bao-cao/tong-hop/?period=month", "/bao-cao/so-lieu-ngoai-lien-thong/",
    "/api/v1/reports/adoption/", "/api/v1/reports/adoption/?group_by=commune", "/api/v1/reports/daily/",
]}
SKIP = ("/static/", "/media/", "/dang-xuat", "/i18n/")
failures, visited = [], 0


def get(client, url, who):
    global visited
    visited += 1
    response = client.get(url)
    if response.status_code >= 500:
        failures.append(f"{who} GET {url}: {response.status_code}")
    return response


get(Client(raise_request_exception=False), "/healthz", "anonymous")
for name in DEMO:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=name))
    response = client.get("/", follow=True)
    landing = response.request["PATH_INFO"]
    if response.status_code != 200 or landing.startswith("/dang-nhap"):
        failures.append(f"{name} landing {landing}: {response.status_code}")
        continue
    hrefs = re.findall(r'href="(/[^"#]*)"', response.content.decode())
    links = sorted({h.replace("&amp;", "&") for h in hrefs if not h.startswith(SKIP)})
    if not links:
        failures.append(f"{name} landing {landing}: no links")
    for url in links + EXTRA.get(name, []):
        get(client, url, name)
    print(f"{name}: {landing}, {len(links)} links", flush=True)
# the dashboard's figures are there, not just a page
client = Client()
client.force_login(User.objects.get(username="tinh.dongthap"))
adoption = client.get("/api/v1/reports/adoption/").json()
assert adoption["rows"] and "total" in adoption, adoption
print(f"visited {visited}")
if failures:
    print("SERVER ERRORS:\n" + "\n".join(failures))
    sys.exit(1)
'''

# The demo clerk files a birth bundle at the counter through the API; the
# justice officer registers the birth; the eager tasks do the rest.
FLOW = r'''
import django

django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from agencies.models import User
from dossiers import documents
from dossiers.models import Document, Dossier, Notification
from tests.dossiers.payloads import birth_payload

assert connection.vendor == "sqlite", connection.vendor
assert settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL == "memory://", "tasks must run in-process"
assert documents.signing_configured(), "bin/run signs documents with the demo key"


class Api:
    def __init__(self, username):
        user = User.objects.get(username=username)
        self.client = Client(raise_request_exception=False,
                             HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")

    def call(self, method, path, body=None, expect=200):
        response = getattr(self.client, method)(f"/api/v1{path}", body, content_type="application/json") \
            if method == "post" else self.client.get(f"/api/v1{path}", body)
        assert response.status_code == expect, (method, path, response.status_code, response.content[:2000])
        return response.json()

    def legs(self, status, code):
        """This dossier's legs in the caller's work queue (every page)."""
        found, page = {}, self.call("get", "/legs/", {"status": status})
        while True:
            found.update({leg["service"]: leg for leg in page["results"] if leg["dossier"] == code})
            if not page.get("next"):
                return found
            response = self.client.get(page["next"])
            assert response.status_code == 200, response.content[:2000]
            page = response.json()


clerk, justice, police, bhxh = (Api(n) for n in ("motcua.tanhong", "tuphap.tanhong", "congan.tanhong",
                                                 "bhxh.dongthap"))
payload = birth_payload(channel="one_stop", applicant__email="hoa.sqlite@example.vn")
code = clerk.call("post", "/dossiers/", payload, expect=201)["code"]
dossier = Dossier.objects.get(code=code)
assert dossier.submitted_by.username == "motcua.tanhong" and dossier.channel == "one_stop"
# The counter's appointment slip came from the in-process task already.
assert Document.objects.filter(dossier=dossier, kind="appointment_slip").exclude(sha256="").exists()

birth = justice.legs("pending", code)["birth_registration"]
assert police.legs("pending", code) == {} and bhxh.legs("pending", code) == {}
justice.call("post", f"/legs/{birth['id']}/accept/")
registered = justice.call("post", f"/legs/{birth['id']}/complete/", {"result": {}})
personal_id = registered["result"]["personal_id"]

# No worker, no beat: the eager fan-out opened the next legs.
assert police.legs("pending", code)["residence_registration"]["due_at"]
assert bhxh.legs("pending", code)["health_insurance_card"]["due_at"]
legs = {leg["service"]: leg["status"] for leg in clerk.call("get", f"/dossiers/{code}/")["legs"]}
assert legs == {"birth_registration": "completed", "residence_registration": "pending",
                "health_insurance_card": "pending"}, legs

# ... and the eager render issued the signed birth certificate.
certificate = Document.objects.get(dossier=dossier, kind="birth_certificate")
content = certificate.file.read()
assert content.startswith(b"%PDF") and certificate.sha256 == documents.sha256_hex(content)
assert b"/ByteRange" in content, "the certificate is signed (PAdES)"
assert documents.document_verify(token=documents.verification_token(certificate), content=content).is_genuine
verify = Client().get(documents.verification_path(certificate))
assert verify.status_code == 200 and "Trần Minh Khang" in verify.content.decode(), verify.status_code
assert Dossier.objects.get(pk=dossier.pk).subject_personal_id == personal_id

# The applicant was told of the submission (email and SMS) and of each opened
# leg (email only: an SMS goes out only when the applicant has to act).
sent = Notification.objects.filter(dossier=dossier, sent_at__isnull=False)
actions = sorted({(n.transition.action, n.channel) for n in sent})
assert ("open", "email") in actions and ("submit", "sms") in actions and ("submit", "email") in actions, actions
assert ("open", "sms") not in actions, actions
print("FLOW OK", code, flush=True)
'''


def _run(args: list[str], env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _env(base: Path) -> dict[str, str]:
    """bin/run's environment without DATABASE_URL/REDIS_URL, on files under `base`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE",
                        "REPLICA_DATABASE_URL", "EMAIL_BACKEND")}
    env.update(SQLITE_PATH=str(base / "lt.sqlite3"), DEBUG="1", PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="lienthong.settings", MEDIA_ROOT=str(base / "media"),
               DOCUMENT_SIGNING_KEY=str(base / "signing" / "demo-signing-key.pem"),
               DOCUMENT_SIGNING_CERT=str(base / "signing" / "demo-signing-cert.pem"))
    return env


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """bin/run's first steps, once: migrate, seed_demo, make_demo_signing_key."""
    base = tmp_path_factory.mktemp("make-run")
    env = _env(base)
    for command in (["migrate", "--noinput"], ["seed_demo"],
                    ["make_demo_signing_key", "--out", str(base / "signing")]):
        done = _run([sys.executable, "manage.py", *command], env, timeout=120)
        assert done.returncode == 0, f"manage.py {' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return base


def _script(seeded: Path, tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    """Run `source` on a copy of the seeded database (each test its own)."""
    shutil.copy(seeded / "lt.sqlite3", tmp_path / "lt.sqlite3")
    shutil.copytree(seeded / "signing", tmp_path / "signing")
    script = tmp_path / "script.py"
    script.write_text(source)
    return _run([sys.executable, str(script)], _env(tmp_path), timeout=180)


def test_make_run_on_sqlite_serves_every_demo_landing_page(seeded: Path, tmp_path: Path) -> None:
    done = _script(seeded, tmp_path, CRAWL)
    # server errors print their tracebacks on stderr: show the end of them
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}"
    assert "tinh.dongthap: /bao-cao/" in done.stdout, done.stdout
    assert (tmp_path / "lt.sqlite3").exists()


def test_make_run_on_sqlite_carries_a_dossier_with_in_process_tasks(seeded: Path, tmp_path: Path) -> None:
    done = _script(seeded, tmp_path, FLOW)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}"
    assert "FLOW OK" in done.stdout, done.stdout
