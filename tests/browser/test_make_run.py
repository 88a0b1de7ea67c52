"""`make run` as a newcomer starts it, on a port of their choosing: bin/run
itself in a subprocess (SQLite, tasks in-process, no Redis), driven through
Chromium. The links the portal prints (QR codes of issued documents) lead to
the port it serves on."""
from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers import DEMO_PASSWORD, screenshot, tool, wait_for

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code in (200, 503)
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`PORT=<free> bin/run` on a fresh SQLite file, without DATABASE_URL/REDIS_URL."""
    base = tmp_path_factory.mktemp("make-run-port")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE",
                        "REPLICA_DATABASE_URL", "EMAIL_BACKEND", "PORTAL_BASE_URL", "DOCUMENT_SIGNING_KEY",
                        "DOCUMENT_SIGNING_CERT")}
    env.update(PORT=str(port), SQLITE_PATH=str(base / "lt.sqlite3"), MEDIA_ROOT=str(base / "media"))
    log = open(base / "run.log", "w")
    proc = subprocess.Popen(["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(url) or proc.poll() is not None, timeout=240, interval=0.5)
        assert proc.poll() is None, (base / "run.log").read_text()[-4000:]
        yield {"url": url, "port": port, "db": base / "lt.sqlite3", "base": base}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def open_as(browser, make_run):
    contexts = []

    def open_page(username: str, width: int = 1366, height: int = 768):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                      base_url=make_run["url"], timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(20000)
        contexts.append(context)
        pg = context.new_page()
        pg.goto("/dang-nhap/")
        pg.fill("#id_username", username)
        pg.fill("#id_password", DEMO_PASSWORD)
        pg.click("button[type=submit].primary")
        pg.wait_for_load_state("networkidle")
        return pg

    yield open_page
    for context in contexts:
        context.close()


def test_the_qr_link_of_an_issued_document_uses_the_served_port(make_run, open_as, tmp_path):
    with sqlite3.connect(make_run["db"]) as db:
        code, pk = db.execute("SELECT d.code, doc.id FROM dossiers_dossier d JOIN dossiers_document doc ON doc.dossier_id = d.id"
                           " WHERE doc.kind = 'birth_certificate' AND doc.file <> '' ORDER BY d.code").fetchone()
    pg = open_as("motcua.tanhong")
    pg.goto(f"/can-bo/ho-so/{code}/")
    screenshot(pg, "make-run-dossier-with-documents")
    href = f"/can-bo/ho-so/{code}/van-ban/{pk}/"
    assert pg.locator(f"a[href='{href}']").count() == 1
    response = pg.request.get(href)
    assert response.ok and response.body().startswith(b"%PDF")
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    served = f"http://127.0.0.1:{make_run['port']}/"
    assert served in text.replace("\n", ""), text[-800:]
    # The printed address is the one the QR code carries (documents.render_pdf
    # gets one verify_url for both), and it answers: the document is genuine.
    # (pdftotext breaks the long address across lines)
    verify = re.search(re.escape(served) + r"xac-minh/[\w:-]+/", "".join(text.split())).group(0)
    pg.goto(verify)
    screenshot(pg, "make-run-verify")
    assert pg.url.startswith(served)
    assert "Văn bản do Cổng dịch vụ công liên thông cấp." in pg.inner_text("main"), pg.inner_text("main")
