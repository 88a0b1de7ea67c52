"""The newcomer's first command: `make run` without DATABASE_URL runs the
portal on SQLite with Celery tasks eager. In a subprocess without
DATABASE_URL/REDIS_URL: migrate, seed the demo, then every demo user's landing
page and every link on it (one level deep), the reports' exports and API, and
/healthz must answer without a server error.

The rest of the suite runs on PostgreSQL; this test only drives subprocesses
on a throw-away SQLite file, so it needs no database fixture.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def _run(args: list[str], env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_make_run_on_sqlite_serves_every_demo_landing_page(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE")}
    env.update(SQLITE_PATH=str(tmp_path / "lt.sqlite3"), DEBUG="1", PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="lienthong.settings")
    python = sys.executable
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        done = _run([python, "manage.py", *command], env, timeout=120)
        assert done.returncode == 0, f"manage.py {' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL)
    done = _run([python, str(script)], env, timeout=120)
    # server errors print their tracebacks on stderr: show the end of them
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}"
    assert "tinh.dongthap: /bao-cao/" in done.stdout, done.stdout
    assert (tmp_path / "lt.sqlite3").exists()
