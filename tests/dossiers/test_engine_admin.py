"""The Django admin shows dossiers, legs and the log read-only."""
from __future__ import annotations

import pytest

from dossiers import services
from dossiers.models import Transition
from tests.dossiers.payloads import birth_payload

pytestmark = pytest.mark.django_db


def test_admin_pages_show_dossiers_read_only(eng, client):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    client.force_login(eng.admin)
    for url in ("/admin/dossiers/dossier/", f"/admin/dossiers/dossier/{dossier.pk}/change/", "/admin/dossiers/leg/",
                "/admin/dossiers/transition/", "/admin/dossiers/rule/", "/admin/dossiers/notification/",
                "/admin/dossiers/dossierview/", "/admin/dossiers/numbersequence/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/dossiers/dossier/?q=tran+minh+khang").context["cl"].result_count == 1
    # No way to change the log through the admin.
    row = Transition.objects.filter(dossier=dossier).first()
    assert client.post(f"/admin/dossiers/transition/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403
