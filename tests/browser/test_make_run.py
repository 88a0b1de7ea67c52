"""`make run` as a newcomer starts it, on a port of their choosing: bin/run
itself in a subprocess (SQLite, tasks in-process, no Redis), driven through
Chromium. The links the portal prints (QR codes of issued documents) lead to
the port it serves on."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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
    # gets one verify_url for both).
    assert f"{served}xac-minh/" in "".join(text.split()), text[-800:]
    assert ":8000/" not in "".join(text.split())


def test_yesterdays_daily_report_exists_as_an_official_document(make_run, open_as, tmp_path):
    """No Redis, no beat, no setup: the provincial officer finds yesterday's
    report, laid out as an administrative document (Nghị định 30/2020), on
    the page and in the PDF, and it fits a phone."""
    yesterday = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - timedelta(days=1))
    for width, height, size in ((1366, 768, "desktop"), (360, 740, "phone")):
        pg = open_as("tinh.dongthap", width, height)
        pg.goto("/bao-cao/ngay/")
        pg.get_by_role("link", name=yesterday.strftime("%d/%m/%Y")).click()
        pg.wait_for_load_state("networkidle")
        text = pg.inner_text("main")
        for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN",
                     "TỈNH ĐỒNG THÁP", f"Số: {yesterday.timetuple().tm_yday}/BC-UBND", "Đồng Tháp, ngày",
                     "BÁO CÁO", f"ngày {yesterday:%d/%m/%Y}", "Căn cứ Kế hoạch triển khai liên thông",
                     "Nơi nhận:", "Lưu: VT.", "TM. ỦY BAN NHÂN DÂN"):
            assert part in text, (part, text[:1500])
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(pg, f"make-run-daily-report-{size}")
    response = pg.request.get(pg.locator("a", has_text="Tải PDF").get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(response.body())
    text = " ".join(subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "/BC-UBND", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "BÁO CÁO"):
        assert part in text, (part, text[:1500])


@pytest.mark.parametrize(("asked", "says"), [
    ("tomorrow", "chưa có báo cáo ngày"), ("today", "chưa có báo cáo ngày"), ("32/13/2025", "ngày không hợp lệ"),
])
def test_a_date_without_a_report_says_so(make_run, open_as, asked, says):
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    value = {"tomorrow": (today + timedelta(days=1)).strftime("%d/%m/%Y"),
             "today": today.strftime("%d/%m/%Y")}.get(asked, asked)
    pg = open_as("tinh.dongthap", 360, 740)
    pg.goto("/bao-cao/ngay/")
    pg.fill("#id_date", value)
    pg.click("form.filters button[type=submit]")
    pg.wait_for_load_state("networkidle")
    alert = pg.inner_text("[role=alert]")
    # One wording names the field whatever is wrong with the date.
    assert says in alert and "“Xem báo cáo của ngày”" in alert, alert
    # never another day's report in its place
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in pg.inner_text("main")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(pg, f"make-run-daily-missing-{'invalid' if asked[0].isdigit() else asked}-phone")


def test_the_demo_province_has_weeks_of_work_with_real_handling_times(make_run, open_as):
    """The dashboard of the demo province: dossiers on many days of the
    last month, legs taking hours to days (not all done at the seeding
    moment), and some overdue."""
    pg = open_as("tinh.dongthap")
    pg.goto("/bao-cao/")
    trend = json.loads(pg.inner_text("#trend-data"))
    assert sum(1 for d in trend if d["received"]) >= 12, trend
    assert sum(1 for d in trend if d["completed"]) >= 10, trend
    medians = {row.locator("td").nth(1).inner_text(): float(row.locator("td").nth(3).inner_text().replace(",", "."))
               for row in pg.locator("table", has_text="Trung vị").locator("tbody tr").all()}
    # hours from a leg's opening to its completion; the automatic residence
    # removal (from 15/3/2026) takes none, the others hours to days
    worked = {"Đăng ký khai sinh", "Đăng ký thường trú", "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi", "Đăng ký khai tử",
              "Trợ cấp mai táng"}
    assert worked <= set(medians), medians
    assert all(medians[s] >= 0.5 for s in worked), medians
    assert len(set(medians.values())) > 1, medians
    screenshot(pg, "make-run-dashboard")
    pg = open_as("tinh.dongthap", 360, 740)
    pg.goto("/bao-cao/")
    screenshot(pg, "make-run-dashboard-phone")
