"""Every page that shows a staff member a personal ID whole records the
opening (docs/domain.md §2): the dossier page already did; the leg page and
the appointment slip print the subject's ID too."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import DossierView
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_leg_page_and_the_slip_record_an_opening(client):
    users = f.engine_users_make("vl")
    dossier = f.dossier_make(user=users.clerk, channel="one_stop")
    leg = f.leg_of(dossier, "birth_registration")
    client.force_login(users.justice)
    assert client.get(reverse("staff:leg", args=[leg.pk])).status_code == 200
    client.force_login(users.clerk)
    assert client.get(reverse("staff:receipt", args=[dossier.code])).status_code == 200
    client.force_login(users.viewer)
    assert client.get(reverse("staff:receipt", args=[dossier.code])).status_code == 200
    assert sorted(DossierView.objects.filter(dossier=dossier).values_list("user__username", "full_data")) == [
        ("vl-clerk", True), ("vl-justice", True), ("vl-viewer", False)]
