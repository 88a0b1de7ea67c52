"""The provincial viewer's dashboard in a real browser."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AdminUnit, Role
from tests import factories as f
from tests.factories import UserFactory
from tests.helpers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]


def activity() -> None:
    """24 dossiers of the last 20 days at six communes, filed and worked by
    the engine: the first leg done an hour after filing; three in four
    dossiers finished over the next days, the rest still with the police."""
    today = timezone.localdate()
    communes = list(AdminUnit.objects.filter(map="current", level="commune", province__code="44")
                    .order_by("code")[:6])
    for i in range(24):
        day = today - timedelta(days=i % 20)
        filed = f.vn(day, 8 + i % 8)
        birth = bool(i % 3)
        d = f.dossier_make("birth" if birth else "death", at=filed, unit_code=communes[i % len(communes)].code,
                           channel="online" if i % 2 else "one_stop",
                           services=BIRTH if birth else ["death_registration", "residence_removal"])
        # a death's residence removal is recorded by the system with the death
        f.leg_to(f.leg_of(d, f.FIRST_SERVICE[d.bundle]), "completed", at=filed + timedelta(hours=1))
        if birth:
            later = filed + timedelta(days=i % 4, hours=2)
            f.leg_to(f.leg_of(d, "residence_registration"), "completed" if i % 4 else "in_progress", at=later)
            if i % 4:
                f.leg_to(f.leg_of(d, "health_insurance_card"), "completed", at=later)


def test_viewer_sees_the_province_dashboard(page):
    province = AdminUnit.objects.get(map="current", level="province", code="44")
    UserFactory(username="xem_quangtri", role=Role.PROVINCIAL_VIEWER, unit=province)
    activity()
    login(page, "xem_quangtri")
    page.goto("/bao-cao/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Bảng điều khiển · Tỉnh Quảng Trị")
    # Chart.js drew the trend: the canvas has a chart attached
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('trend-chart'))")
    kpi = page.locator(".kpis .card").first.inner_text()
    assert kpi.startswith("24")
    assert page.get_by_text("Xếp hạng xã/phường (thi đua)").is_visible()
    screenshot(page, "reports-dashboard")
    # drill down into a legacy district
    page.locator("section.card table a").first.click()
    page.wait_for_load_state("networkidle")
    assert "← Toàn tỉnh" in page.content()
    screenshot(page, "reports-dashboard-district")


def test_an_invalid_date_is_an_error_on_the_dashboard(page):
    province = AdminUnit.objects.get(map="current", level="province", code="44")
    UserFactory(username="xem_quangtri", role=Role.PROVINCIAL_VIEWER, unit=province)
    login(page, "xem_quangtri")
    page.goto("/bao-cao/?from=31/02/2026&to=10/03/2026")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "“Từ ngày”: ngày không hợp lệ; dùng dạng dd/mm/yyyy."
    assert page.locator("#id_from").input_value() == "31/02/2026"
    assert page.locator(".kpis").count() == 0  # no other period's figures in its place
    screenshot(page, "reports-dashboard-invalid-date")
