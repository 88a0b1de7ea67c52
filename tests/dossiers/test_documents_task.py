"""The worker task: idempotent, and quiet when there is nothing to render."""
from __future__ import annotations

import pytest

from dossiers.document_tasks import render_document
from dossiers.models import Document
from tests.factories import dossier_registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_task_renders_once_and_returns_the_document():
    dossier = dossier_registered("death")
    first = render_document.apply(args=[dossier.pk, "death_extract"]).get()
    again = render_document.apply(args=[dossier.pk, "death_extract"]).get()
    assert first == again == Document.objects.get(dossier=dossier, kind="death_extract").pk


def test_task_does_nothing_before_the_result_exists_or_for_a_missing_dossier():
    dossier = dossier_registered(first_leg="in_progress")
    assert render_document.apply(args=[dossier.pk, "birth_certificate"]).get() is None
    assert render_document.apply(args=[10**9, "birth_certificate"]).get() is None
    assert not Document.objects.exclude(sha256="").exists()
