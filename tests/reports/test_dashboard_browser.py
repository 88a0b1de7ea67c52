"""The provincial viewer's dashboard in a real browser."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AdminUnit, Role
from tests.factories import UserFactory
from tests.helpers import login, screenshot
from tests.reports import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]


def activity() -> None:
    today = timezone.localdate()
    communes = list(AdminUnit.objects.filter(map="current", level="commune", province__code="44")
                    .order_by("code")[:6])
    for i in range(24):
        day = today - timedelta(days=i % 20)
        unit = communes[i % len(communes)]
        d = f.dossier(unit, f.at(day, 8 + i % 8), BIRTH if i % 3 else ["death_registration", "residence_removal"],
                      channel="online" if i % 2 else "one_stop", status="completed" if i % 4 else "in_progress",
                      closed_at=f.at(day, 16) if i % 4 else None)
        first = "birth_registration" if d.bundle == "birth" else "death_registration"
        f.leg(d, first, "completed", started_at=f.at(day, 8), due_at=f.at(day, 17),
              finished_at=f.at(day, 9 + i % 9))
        second = "residence_registration" if d.bundle == "birth" else "residence_removal"
        if i % 4:
            f.leg(d, second, "completed", started_at=f.at(day, 9), due_at=f.at(day, 17) + timedelta(days=2),
                  finished_at=f.at(day, 10) + timedelta(days=i % 4))
        else:
            f.leg(d, second, "in_progress", started_at=f.at(day, 9), due_at=f.at(day, 17) + timedelta(days=1))


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
