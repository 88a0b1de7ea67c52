"""Issued PDFs: rendered with the names in Vietnamese, verifiable by QR."""
from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from dossiers import documents
from dossiers.models import Document
from tests.factories import dossier_registered, vn
from tests.helpers import tool

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# Registered on Monday 23/11/2026 with the numbers the papers must print; the
# birth on 10/11/2026 ("Ngày mười, tháng mười một"), the death on 20/11/2026.
AT = vn(date(2026, 11, 23), 9)
SUBJECT = {"birth": {"subject__date_of_birth": "2026-11-10"},
           "death": {"subject__date_of_death": "2026-11-20", "subject__age_at_death": 74}}
RESULT = {"birth": {"registration_number": "125/2026", "book": "01/2026", "personal_id": "082226000777"},
          "death": {"extract_number": "48/2026", "book": "01/2026"}}


def make_dossier(bundle: str = "birth", first_leg: str = "completed"):
    return dossier_registered(bundle, first_leg=first_leg, at=AT, result=RESULT[bundle], **SUBJECT[bundle])


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_number_words_read_dates_as_on_civil_status_papers():
    assert documents.number_words(2026) == "hai nghìn không trăm hai mươi sáu"
    assert documents.number_words(1952) == "một nghìn chín trăm năm mươi hai"
    assert documents.number_words(2005) == "hai nghìn không trăm linh năm"
    assert documents.number_words(21) == "hai mươi mốt"
    assert documents.number_words(15) == "mười lăm"
    assert documents.number_words(10) == "mười"


@pytest.mark.parametrize("kind, bundle, expected", [
    ("birth_certificate", "birth", ["GIẤY KHAI SINH", "Trần Minh Khang", "Nguyễn Thị Hoa", "Trần Văn Minh",
                                    "082226000777", "125/2026", "Ngày mười, tháng mười một"]),
    ("death_extract", "death", ["TRÍCH LỤC KHAI TỬ", "Lê Văn Bình", "045052000123", "48/2026", "Tại nhà",
                                "Quan hệ với người đã chết", "Con"]),  # the payload's applicant: his child
    ("appointment_slip", "birth", ["Trần Minh Khang", "Nguyễn Thị Hoa", "Đăng ký khai sinh", "Đăng ký thường trú"]),
])
def test_each_document_renders_with_vietnamese_names(kind, bundle, expected):
    dossier = make_dossier(bundle)
    document = documents.document_issue(dossier_id=dossier.pk, kind=kind)
    content = document.file.read()
    assert content.startswith(b"%PDF")
    assert document.sha256 == documents.sha256_hex(content)
    text = " ".join(pdf_text(content).split())
    for needle in expected + ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Xã Tân Hồng".upper()]:
        assert needle in text, needle
    assert documents.verification_path(document) in text.replace(" ", "")
    assert "mother" not in text  # codes are printed as words
    out = subprocess.run([tool("pdftotext"), "-layout", document.file.path, "-"], capture_output=True, check=True)
    assert expected[1] in out.stdout.decode()


def test_issuing_twice_keeps_the_first_document():
    dossier = make_dossier()
    first = documents.document_issue(dossier_id=dossier.pk, kind="birth_certificate")
    again = documents.document_issue(dossier_id=dossier.pk, kind="birth_certificate")
    assert (again.pk, again.sha256, again.token) == (first.pk, first.sha256, first.token)


def test_no_certificate_before_the_birth_is_registered():
    dossier = make_dossier(first_leg="in_progress")
    with pytest.raises(documents.DocumentNotReady):
        documents.document_issue(dossier_id=dossier.pk, kind="birth_certificate")
    assert not Document.objects.filter(dossier=dossier, kind="birth_certificate").exclude(sha256="").exists()


def test_verification_says_genuine_for_the_issued_file_and_not_for_a_modified_one(client):
    dossier = make_dossier("death")
    document = documents.document_issue(dossier_id=dossier.pk, kind="death_extract")
    path = documents.verification_path(document)
    content = document.file.read()

    page = client.get(path)
    assert page.status_code == 200
    assert page.context["verification"].status == "issued"
    assert "Lê Văn Bình" in page.content.decode()
    assert "045052000123" not in page.content.decode()  # masked on the public page

    genuine = client.post(path, {"file": _named(content)})
    assert genuine.context["verification"].status == "genuine"
    tampered = _edited(content)
    assert tampered != content and "Lê Văn Bình" in pdf_text(tampered)
    modified = client.post(path, {"file": _named(tampered)})
    assert modified.context["verification"].status == "modified"
    assert "Lê Văn Bình" not in modified.content.decode()


def test_verification_refuses_an_unknown_or_forged_token(client):
    dossier = make_dossier("death")
    document = documents.document_issue(dossier_id=dossier.pk, kind="death_extract")
    forged = f"{document.token}:notasignature"
    for token in ("nothing-here", forged, document.token):
        response = client.get(f"/xac-minh/{token}/")
        assert response.status_code == 200
        assert response.context["verification"].status == "unknown"
        assert "Lê Văn Bình" not in response.content.decode()


def test_signed_when_a_key_is_configured(settings, tmp_path):
    from django.core.management import call_command

    call_command("make_demo_signing_key", "--out", str(tmp_path / "keys"))
    settings.DOCUMENT_SIGNING_KEY = str(tmp_path / "keys" / "demo-signing-key.pem")
    settings.DOCUMENT_SIGNING_CERT = str(tmp_path / "keys" / "demo-signing-cert.pem")
    dossier = make_dossier()
    document = documents.document_issue(dossier_id=dossier.pk, kind="birth_certificate")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    reader = PdfFileReader(io.BytesIO(document.file.read()))
    assert len(reader.embedded_signatures) == 1
    status = validate_pdf_signature(reader.embedded_signatures[0])
    assert status.intact and status.valid  # untrusted demo root, but the signature holds


def _named(content: bytes):
    f = io.BytesIO(content)
    f.name = "van-ban.pdf"
    return f


def _edited(content: bytes) -> bytes:
    """The same document re-saved by a PDF editor with one change."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.add_metadata({"/Subject": "đã sửa"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
