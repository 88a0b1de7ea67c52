"""Report ranges are bounded (reports/ranges.py): a date between 2015-01-01
and a year ahead, at most 366 days from first to last. Out-of-range input is
a 400 naming the parameter (JSON on the API, the message on the page), never
a 500 from the date arithmetic nor a row per day of a millennium."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


@pytest.mark.parametrize("query, field, label", [
    ({"from": "0001-01-02", "to": "9999-12-30"}, "to", "Đến ngày"),
    ({"from": "2015-01-01", "to": "2017-01-01"}, "to", "Đến ngày"),
    ({"to": "9999-12-31"}, "to", "Đến ngày"),
    ({"from": "01/01/2009"}, "from", "Từ ngày"),
])
def test_dashboard_refuses_an_unbounded_range(signed_in, query, field, label):
    response = signed_in.get("/bao-cao/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert label in html and 'class="msg error"' in html


def test_dashboard_refuses_a_unit_that_is_no_id(signed_in):
    response = signed_in.get("/bao-cao/", {"unit": "abc"})
    assert response.status_code == 400
    assert "“unit” phải là mã số của một đơn vị." in response.content.decode()


def test_a_year_is_still_a_report(signed_in):
    assert signed_in.get("/bao-cao/", {"from": "2025-01-01", "to": "2025-12-31"}).status_code == 200


def test_summary_refuses_a_date_before_the_window(signed_in):
    response = signed_in.get("/bao-cao/tong-hop/", {"date": "0001-01-01", "period": "week"})
    assert response.status_code == 400
    assert "“Ngày trong kỳ” phải là ngày từ 01/01/2015" in response.content.decode()


def test_daily_preview_refuses_a_date_before_the_window(signed_in):
    response = signed_in.get("/bao-cao/ngay/xem/", {"date": "0001-01-01"})
    assert response.status_code == 400
    assert "“Xem báo cáo của ngày” phải là ngày từ 01/01/2015" in response.content.decode()


@pytest.mark.parametrize("query, field", [
    ({"province": "44", "to": "9999-12-31"}, "to"),
    ({"province": "44", "from": "0001-01-01", "to": "2025-01-01"}, "from"),
    ({"province": "44", "from": "2020-01-01", "to": "2025-01-01"}, "to"),
])
def test_adoption_api_and_page_refuse_out_of_range_dates(signed_in, query, field):
    api = signed_in.get("/api/v1/reports/adoption/", query)
    assert api.status_code == 400 and api["Content-Type"] == "application/json"
    assert list(api.json()) == [field] and f"“{field}”" in api.json()[field][0]
    page = signed_in.get("/bao-cao/ty-le-lien-thong/", query)
    assert page.status_code == 400
    assert "Từ ngày" in page.content.decode() and '<p class="error">' in page.content.decode()


def test_daily_api_refuses_a_date_before_the_window(signed_in):
    response = signed_in.get("/api/v1/reports/daily/", {"date": "0001-01-01"})
    assert response.status_code == 400 and list(response.json()) == ["date"]


def test_dossier_list_filters_are_bounded(signed_in):
    response = signed_in.get("/api/v1/dossiers/", {"date_to": "9999-12-31"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert list(response.json()) == ["date_to"] and "“date_to”" in response.json()["date_to"][0]
    assert signed_in.get("/api/v1/dossiers/", {"date_from": "hôm qua"}).status_code == 400
    assert signed_in.get("/api/v1/dossiers/", {"date_from": "2026-01-01"}).status_code == 200
    page = signed_in.get("/can-bo/ho-so/", {"date_to": "31/12/9999"})
    assert page.status_code == 200
    assert "“đến ngày” phải là ngày từ 01/01/2015" in page.content.decode()
