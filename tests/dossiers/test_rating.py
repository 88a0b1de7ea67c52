"""The citizen's satisfaction rating: online on their dossier page or at the
counter when the result is handed over; once per dossier, after the result;
the figures per commune and agency on the dashboard and the weekly summary."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.models import Dossier, Rating
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of, leg_to

pytestmark = pytest.mark.django_db


def _finished(eng, **overrides) -> Dossier:
    """A birth dossier whose three legs are completed (the result is ready)."""
    channel = overrides.pop("channel", "online")
    user = eng.citizen if channel == "online" else eng.clerk
    dossier = services.dossier_submit(data=birth_payload(channel=channel, **overrides), user=user)
    for service, officer in (("birth_registration", eng.justice), ("residence_registration", eng.police),
                             ("health_insurance_card", eng.bhxh)):
        leg_to(leg_of(dossier, service), "completed", user=officer)
    dossier.refresh_from_db()
    assert dossier.status == "completed"
    return dossier


def test_the_citizen_rates_online_once(eng, client):
    dossier = _finished(eng)
    client.force_login(eng.citizen)
    page = reverse("citizen:dossier", kwargs={"code": dossier.code})
    assert "Đánh giá mức độ hài lòng" in client.get(page).content.decode()
    url = reverse("citizen:rate", kwargs={"code": dossier.code})

    bad = client.post(url, {"level": "excellent", "comment": "x" * 1001})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Vui lòng chọn một mức độ hài lòng" in html and "Góp ý quá dài" in html
    assert not Rating.objects.exists()

    done = client.post(url, {"level": "satisfied", "comment": "  Cán bộ  hướng dẫn tận tình "})
    assert done.status_code == 302
    rating = Rating.objects.get(dossier=dossier)
    assert (rating.level, rating.comment, rating.channel, rating.recorded_by) == (
        "satisfied", "Cán bộ hướng dẫn tận tình", "online", eng.citizen)
    assert "Đánh giá của bạn" in client.get(page).content.decode()

    again = client.post(url, {"level": "dissatisfied"})
    assert again.status_code == 409
    assert "đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần" in again.content.decode()
    assert Rating.objects.get(dossier=dossier).level == "satisfied"


def test_no_rating_before_the_result(eng, client):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    client.force_login(eng.citizen)
    response = client.post(reverse("citizen:rate", kwargs={"code": dossier.code}), {"level": "normal"})
    assert response.status_code == 409
    assert "Chỉ đánh giá được khi hồ sơ đã có kết quả" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_clerk_records_the_rating_when_handing_the_result_over(eng, client):
    dossier = _finished(eng, channel="one_stop")
    client.force_login(eng.clerk)
    page = reverse("staff:dossier", kwargs={"code": dossier.code})
    assert "Mức độ hài lòng của công dân" in client.get(page).content.decode()
    url = reverse("staff:dossier_returned", kwargs={"code": dossier.code})

    bad = client.post(url, {"rating": "great"})
    assert bad.status_code == 400
    assert "Vui lòng chọn một mức độ hài lòng" in bad.content.decode()
    dossier.refresh_from_db()
    assert dossier.returned_at is None  # one transaction: nothing recorded

    assert client.post(url, {"rating": "dissatisfied", "comment": "Chờ lâu"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.returned_at is not None
    rating = Rating.objects.get(dossier=dossier)
    assert (rating.level, rating.comment, rating.channel, rating.recorded_by) == (
        "dissatisfied", "Chờ lâu", "one_stop", eng.clerk)


def test_the_figures_per_commune_and_agency_reach_the_dashboard_and_the_weekly_summary(eng, client):
    for level in ("satisfied", "satisfied", "dissatisfied"):
        dossier = _finished(eng)
        services.dossier_rate(code=dossier.code, user=eng.citizen, level=level)
    client.force_login(eng.viewer)
    for url in (reverse("reports:dashboard"), reverse("reports:summary")):
        response = client.get(url, {"province": "82"})
        assert response.status_code == 200
        figures = response.context["satisfaction"]
        assert figures["total"]["total"] == 3 and figures["total"]["satisfied"] == 2
        [commune] = figures["by_unit"]
        assert (commune["name"], commune["total"], commune["dissatisfied"]) == ("Xã Tân Hồng, Tỉnh Đồng Tháp", 3, 1)
        agencies = {row["agency"]: (row["total"], row["satisfied"]) for row in figures["by_agency"]}
        assert agencies == {"justice": (3, 2), "police": (3, 2), "social_insurance": (3, 2)}
        html = response.content.decode()
        assert "Mức độ hài lòng của người dân" in html and "Tư pháp" in html
