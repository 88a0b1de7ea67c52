"""Issued e-documents: the e-birth certificate, the death extract and the
appointment slip (docs/domain.md §6).

A document is rendered once, in a worker (`document_tasks.render_document`),
by WeasyPrint from templates/documents/, optionally signed (PAdES, pyHanko)
and stored with its SHA-256. The QR code printed on it leads to the public
verification page, whose URL carries the document's random token signed with
the portal's secret: a guessed or altered token is refused without a query
that could tell anything. The verification page shows only `summary`, which
is exactly what the PDF prints (it is also what the template renders from).
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.access import mask_personal_id
from agencies.models import Agency, AgencyKind
from dossiers.models import Document, Dossier, Leg, LegStatus, Service
from dossiers.vocabulary import DOCUMENT_SERVICE, Relationship, Sex, label
from lienthong import formatting, links

logger = logging.getLogger("lienthong.documents")

ISSUED_KINDS = (Document.Kind.BIRTH_CERTIFICATE, Document.Kind.DEATH_EXTRACT, Document.Kind.APPOINTMENT_SLIP)
# The leg whose completion produces the document (None: issued at submission).
RESULT_LEG: dict[str, Service | None] = {**DOCUMENT_SERVICE, Document.Kind.APPOINTMENT_SLIP: None}
_SIGNER_SALT = "lienthong.documents.verify"


class DocumentNotReady(Exception):
    """The result the document prints does not exist yet (leg not completed)."""


# --- Vietnamese wording -----------------------------------------------------

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _under_hundred(n: int, *, after_hundreds: bool) -> str:
    tens, units = divmod(n, 10)
    if tens == 0:
        return ("linh " if after_hundreds else "") + _DIGITS[units] if units else ""
    words = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if units == 0:
        return words
    if units == 1 and tens > 1:
        return f"{words} mốt"
    if units == 5:
        return f"{words} lăm"
    return f"{words} {_DIGITS[units]}"


def number_words(n: int) -> str:
    """0..9999 read out as on civil-status papers: 2026 → "hai nghìn không
    trăm hai mươi sáu", 105 → "một trăm linh năm"."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    parts: list[str] = []
    if thousands:
        parts.append(f"{_DIGITS[thousands]} nghìn")
    if thousands or hundreds:
        if hundreds or rest:
            parts.append(f"{_DIGITS[hundreds]} trăm")
        tail = _under_hundred(rest, after_hundreds=True)
    else:
        tail = _under_hundred(rest, after_hundreds=False)
    if tail:
        parts.append(tail)
    return " ".join(parts)


def date_words(value: date) -> str:
    """"Ngày mười, tháng mười một, năm hai nghìn không trăm hai mươi sáu"."""
    return _("Ngày %(d)s, tháng %(m)s, năm %(y)s") % {
        "d": number_words(value.day), "m": number_words(value.month), "y": number_words(value.year)}


def _date(value: Any) -> date | None:
    return formatting.parse_day(value)


def _dmy(value: Any) -> str:
    return formatting.day(value) if _date(value) else ""


def _nationality(value: str | None) -> str:
    return {"VN": _("Việt Nam")}.get(value or "", value or "")


# --- what a document prints -----------------------------------------------

def _result_leg(dossier: Dossier, kind: str) -> Leg | None:
    service = RESULT_LEG[kind]
    if service is None:
        return None
    leg = dossier.legs.filter(service=service).first()
    if leg is None or leg.status != LegStatus.COMPLETED:
        raise DocumentNotReady(f"{dossier.code}: {service} is not completed")
    return leg


def _issuer(dossier: Dossier, kind: str) -> dict[str, str]:
    commune = dossier.scope_unit
    province = dossier.scope_province
    # Results are signed by justice; the slip by the one-stop shop that received.
    office_kind = AgencyKind.ONE_STOP if kind == Document.Kind.APPOINTMENT_SLIP else AgencyKind.JUSTICE
    justice = Agency.objects.filter(unit=commune, kind=office_kind).first()
    place = commune.short_name or commune.name
    return {
        # "Ủy ban nhân dân xã Tân Hồng": the unit type is lower-case inside a name.
        "authority": _("Ủy ban nhân dân %(unit)s") % {"unit": commune.name[:1].lower() + commune.name[1:]},
        "province": province.name,
        "office": justice.name if justice else "",
        "place": place,
    }


def _field(label: str, value: Any) -> list[str] | None:
    text = str(value).strip() if value not in (None, "") else ""
    return [label, text] if text else None


def _section(heading: str, *fields: list[str] | None) -> dict[str, Any]:
    return {"heading": heading, "fields": [f for f in fields if f]}


def _parent(person: dict | None, heading: str) -> dict[str, Any] | None:
    if not person or not person.get("full_name"):
        return None
    return _section(
        heading,
        _field(_("Họ, chữ đệm, tên"), person.get("full_name")),
        _field(_("Ngày, tháng, năm sinh"), _dmy(person.get("date_of_birth"))),
        _field(_("Dân tộc"), person.get("ethnicity")),
        _field(_("Quốc tịch"), _nationality(person.get("nationality"))),
        _field(_("Số định danh cá nhân"), person.get("personal_id")),
        _field(_("Nơi cư trú"), person.get("residence") if isinstance(person.get("residence"), str) else ""),
    )


def summary_build(dossier: Dossier, kind: str, *, issued_at: datetime) -> dict[str, Any]:
    """Everything the PDF prints, as JSON: the template renders from it and
    the verification page shows it, so the two can never disagree."""
    issuer = _issuer(dossier, kind)
    subject = dossier.subject or {}
    applicant = dossier.applicant or {}
    issued_on = timezone.localtime(issued_at).date()
    summary: dict[str, Any] = {
        "kind": kind,
        "issuer": issuer,
        "dossier_code": dossier.code,
        "issued_on": issued_on.isoformat(),
        "place_date": _("%(place)s, ngày %(d)02d tháng %(m)02d năm %(y)d") % {
            "place": issuer["place"], "d": issued_on.day, "m": issued_on.month, "y": issued_on.year},
    }
    leg = _result_leg(dossier, kind)
    result = (leg.result or {}) if leg else {}
    if kind == Document.Kind.BIRTH_CERTIFICATE:
        born = _date(subject.get("date_of_birth"))
        summary.update({
            "title": _("Giấy khai sinh"),
            "subtitle": _("(Bản điện tử)"),
            "number": str(result.get("registration_number") or result.get("number") or ""),
            "book": str(result.get("book") or result.get("registration_book") or ""),
            "signer_title": _("Người ký giấy khai sinh"),
            "sections": [s for s in [
                _section(
                    _("Người được khai sinh"),
                    _field(_("Họ, chữ đệm, tên"), subject.get("full_name")),
                    _field(_("Ngày, tháng, năm sinh"), _dmy(born)),
                    _field(_("Ghi bằng chữ"), date_words(born) if born else ""),
                    _field(_("Giới tính"), label(Sex, subject.get("sex"))),
                    _field(_("Dân tộc"), subject.get("ethnicity")),
                    _field(_("Quốc tịch"), _nationality(subject.get("nationality"))),
                    _field(_("Nơi sinh"), subject.get("place_of_birth")),
                    _field(_("Quê quán"), subject.get("hometown")),
                    _field(_("Số định danh cá nhân"), result.get("personal_id") or subject.get("personal_id")),
                ),
                _parent(subject.get("mother"), _("Họ, chữ đệm, tên người mẹ")),
                _parent(subject.get("father"), _("Họ, chữ đệm, tên người cha")),
                _section(
                    _("Người đi đăng ký khai sinh"),
                    _field(_("Họ, chữ đệm, tên"), applicant.get("full_name")),
                    _field(_("Nơi đăng ký khai sinh"), issuer["authority"]),
                    _field(_("Ngày, tháng, năm đăng ký"), _dmy(leg.finished_at if leg else issued_at)),
                ),
            ] if s and s["fields"]],
        })
    elif kind == Document.Kind.DEATH_EXTRACT:
        died = _date(subject.get("date_of_death"))
        summary.update({
            "title": _("Trích lục khai tử"),
            "subtitle": _("(Bản điện tử)"),
            "number": str(result.get("extract_number") or result.get("number") or ""),
            "book": str(result.get("book") or result.get("registration_book") or ""),
            "signer_title": _("Người ký trích lục"),
            "sections": [s for s in [
                _section(
                    _("Người đã chết"),
                    _field(_("Họ, chữ đệm, tên"), subject.get("full_name")),
                    _field(_("Ngày, tháng, năm sinh"), _dmy(subject.get("date_of_birth"))),
                    _field(_("Giới tính"), label(Sex, subject.get("sex"))),
                    _field(_("Dân tộc"), subject.get("ethnicity")),
                    _field(_("Quốc tịch"), _nationality(subject.get("nationality"))),
                    _field(_("Số định danh cá nhân"), subject.get("personal_id")),
                    _field(_("Đã chết vào ngày"), _dmy(died)),
                    _field(_("Ghi bằng chữ"), date_words(died) if died else ""),
                    _field(_("Nơi chết"), subject.get("place_of_death")),
                    _field(_("Nguyên nhân chết"), subject.get("cause_of_death")),
                ),
                _section(
                    _("Người đi khai tử"),
                    _field(_("Họ, chữ đệm, tên"), applicant.get("full_name")),
                    _field(_("Quan hệ với người đã chết"), label(Relationship, applicant.get("relationship"))),
                    _field(_("Nơi đăng ký khai tử"), issuer["authority"]),
                    _field(_("Ngày, tháng, năm đăng ký"), _dmy(leg.finished_at if leg else issued_at)),
                ),
            ] if s["fields"]],
        })
    else:
        legs = list(dossier.legs.order_by("id"))
        summary.update({
            "title": _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            "subtitle": _("Hồ sơ liên thông %(bundle)s") % {"bundle": dossier.get_bundle_display().lower()},
            "number": dossier.code,
            "book": "",
            "signer_title": _("Người tiếp nhận hồ sơ"),
            "sections": [
                _section(
                    _("Hồ sơ"),
                    _field(_("Mã hồ sơ"), dossier.code),
                    _field(_("Người nộp"), dossier.applicant_name),
                    _field(_("Người được đăng ký"), dossier.subject_name),
                    _field(_("Kênh nộp"), dossier.get_channel_display()),
                    _field(_("Tiếp nhận lúc"), formatting.moment(dossier.submitted_at)),
                    _field(_("Hẹn trả kết quả"), _dmy(dossier.due_at)),
                ),
                _section(
                    _("Các thủ tục liên thông"),
                    *[_field(leg.get_service_display(),
                             _("%(agency)s · hạn %(due)s") % {"agency": leg.get_agency_display(),
                                                               "due": _dmy(leg.due_at) or _("tính khi thủ tục trước xong")})
                      for leg in legs],
                ),
            ],
        })
    return summary


# --- verification links ---------------------------------------------------

def verification_token(document: Document) -> str:
    return signing.Signer(salt=_SIGNER_SALT).sign(document.token)


def verification_path(document: Document) -> str:
    return reverse("citizen:verify", kwargs={"token": verification_token(document)})


def verification_url(document: Document) -> str:
    return links.absolute_url(verification_path(document))


def qr_svg_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


# --- rendering and signing --------------------------------------------------

def render_pdf(*, summary: dict[str, Any], verify_url: str) -> bytes:
    """The PDF bytes of a document (WeasyPrint; call from a worker only)."""
    from weasyprint import HTML

    with translation.override("vi"):
        html = render_to_string(f"documents/{summary['kind']}.html", {
            "doc": summary, "verify_url": verify_url, "qr": qr_svg_data_uri(verify_url),
            "signed": signing_configured(),
        })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _signing_setting(name: str) -> str:
    # lienthong/settings.py reads DOCUMENT_SIGNING_* from the environment.
    return str(getattr(settings, name, "") or "")


def signing_configured() -> bool:
    key, cert = _signing_setting("DOCUMENT_SIGNING_KEY"), _signing_setting("DOCUMENT_SIGNING_CERT")
    return bool(key and cert and Path(key).exists() and Path(cert).exists())


def sign_pdf(content: bytes, *, reason: str, location: str) -> bytes:
    """A PAdES (B-B) signature with the configured key; unchanged bytes when
    no key is configured."""
    if not signing_configured():
        return content
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(
        _signing_setting("DOCUMENT_SIGNING_KEY"), _signing_setting("DOCUMENT_SIGNING_CERT"),
        key_passphrase=(_signing_setting("DOCUMENT_SIGNING_PASSPHRASE").encode() or None))
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(content)),
        signers.PdfSignatureMetadata(field_name="ChuKySo", subfilter=fields.SigSeedSubFilter.PADES,
                                     md_algorithm="sha256", reason=reason, location=location),
        signer=signer, output=out)
    return out.getvalue()


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def document_issue(*, dossier_id: int, kind: str) -> Document:
    """Render, sign and store the document `kind` of a dossier, once.

    Safe to run twice or side by side: the Document row is locked and a
    document already issued is returned as it is (its hash must not change
    after it has been handed out). Raises DocumentNotReady while the result
    it prints does not exist, Dossier.DoesNotExist for an unknown dossier.
    """
    if kind not in ISSUED_KINDS:
        raise ValueError(kind)
    dossier = Dossier.objects.select_related("scope_unit", "scope_province").get(pk=dossier_id)
    document, _created = Document.objects.get_or_create(dossier=dossier, kind=kind)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.sha256 and document.file:
        return document
    issued_at = timezone.now()
    with translation.override("vi"):
        summary = summary_build(dossier, kind, issued_at=issued_at)
        content = render_pdf(summary=summary, verify_url=verification_url(document))
        content = sign_pdf(content, reason=str(summary["title"]), location=summary["issuer"]["place"])
    document.leg = dossier.legs.filter(service=RESULT_LEG[kind]).first() if RESULT_LEG[kind] else None
    document.summary = summary
    document.sha256 = sha256_hex(content)
    document.issued_at = issued_at
    document.file.save(f"{kind}-{dossier.code}.pdf", ContentFile(content), save=False)
    document.save(update_fields=["leg", "summary", "sha256", "issued_at", "file"])
    logger.info("issued %s for %s (sha256 %s)", kind, dossier.code, document.sha256)
    return document


# --- verification -----------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    """`status`: "issued" (a genuine document, nothing uploaded to compare),
    "genuine" (the uploaded file is the one issued, unchanged), "modified"
    (a real token but a file that differs) or "unknown" (no such document)."""

    status: str
    document: Document | None = None

    @property
    def is_genuine(self) -> bool:
        return self.status in ("issued", "genuine")


def document_for_token(token: str) -> Document | None:
    try:
        raw = signing.Signer(salt=_SIGNER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Document.objects.filter(token=raw, kind__in=ISSUED_KINDS).exclude(sha256="").first()


def document_verify(*, token: str, content: bytes | None = None) -> Verification:
    document = document_for_token(token)
    if document is None:
        return Verification("unknown")
    if content is None:
        return Verification("issued", document)
    return Verification("genuine" if sha256_hex(content) == document.sha256 else "modified", document)


def public_summary(document: Document) -> dict[str, Any]:
    """What the verification page shows: the printed fields, with personal ID
    numbers masked (the holder of the paper can compare; a stranger with the
    link learns less than the paper says)."""
    summary = dict(document.summary or {})
    sections = []
    with translation.override("vi"):  # the summary is stored in Vietnamese
        id_label = _("Số định danh cá nhân")
    for section in summary.get("sections", []):
        fields = [[label, mask_personal_id(value) if label == id_label else value]
                  for label, value in section.get("fields", [])]
        sections.append({"heading": section.get("heading", ""), "fields": fields})
    summary["sections"] = sections
    return summary
