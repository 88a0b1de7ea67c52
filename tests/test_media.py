"""Files are never served by URL: no /media/ route even under DEBUG (`make
run`), unguessable stored names whose extension comes from the detected type,
and staff downloads of uploads as attachments."""
from __future__ import annotations

import importlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from dossiers.validation import attachment_clean
from tests.hardening.world import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_media_has_no_url_even_under_debug(settings):
    import lienthong.urls

    settings.DEBUG = True
    try:
        debug_urls = importlib.reload(lienthong.urls)
        with pytest.raises(Resolver404):
            resolve("/media/documents/2026/01/birth_certificate-KS-2026-0001.pdf", urlconf=debug_urls)
    finally:
        settings.DEBUG = False
        importlib.reload(lienthong.urls)


def test_an_upload_is_stored_under_a_random_name_with_the_detected_extension(db, settings, tmp_path):
    from citizens.models import SubmissionDraft, SubmissionDraftFile
    from citizens.services import draft_file_add
    from tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    draft = SubmissionDraft.objects.create(user=UserFactory())
    # A PNG calling itself a PDF, and a PDF calling itself a page.
    stored = [draft_file_add(draft=draft, upload=SimpleUploadedFile("giay-chung-sinh.pdf", PNG)),
              draft_file_add(draft=draft, upload=SimpleUploadedFile("trang.html", PDF))]
    names = [SubmissionDraftFile.objects.get(pk=item.pk).file.name for item in stored]
    assert re.fullmatch(r"drafts/\d+/[A-Za-z0-9_-]{22,}\.png", names[0]), names
    assert re.fullmatch(r"drafts/\d+/[A-Za-z0-9_-]{22,}\.pdf", names[1]), names
    assert attachment_clean(SimpleUploadedFile("x", PNG)).content_type == "image/png"
