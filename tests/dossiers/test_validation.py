"""submission_clean(): structure, content, units, jurisdiction, imports,
attachments — each refusal under its dotted field, nothing written."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import AdminUnit, Role, User
from dossiers.models import Dossier
from dossiers.validation import Submission, attachment_clean, submission_clean
from lienthong.errors import DomainError
from tests.dossiers.payloads import REMOVE, UNIT, birth_payload, death_payload
from tests.factories import unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def person(username: str, role: str, **kwargs) -> User:
    # No password: validation never logs in, and hashing one per test is slow.
    return User.objects.create(username=username, role=role, **kwargs)


@pytest.fixture
def citizen():
    return person("v-citizen", Role.CITIZEN)


@pytest.fixture
def admin():
    return person("v-admin", Role.ADMIN)


def errors_of(data, user, files=()) -> dict[str, list[str]]:
    with pytest.raises(DomainError) as exc:
        submission_clean(data, user=user, files=files)
    return exc.value.errors


def other_commune() -> AdminUnit:
    return AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE).exclude(
        code=UNIT).order_by("code").first()


# --- the valid payloads ---------------------------------------------------------

def test_birth_payload_is_valid_and_planned(citizen):
    sub = submission_clean(birth_payload(), user=citizen)
    assert isinstance(sub, Submission)
    assert (sub.bundle, sub.unit.code, sub.unit.map, sub.channel) == ("birth", UNIT, "current", "online")
    assert sub.services == ["birth_registration", "residence_registration", "health_insurance_card"]
    assert [leg.agency for leg in sub.legs] == ["justice", "police", "social_insurance"]
    assert not sub.is_late_registration and not sub.needs_verification
    # JSON-ready for the model's JSONFields.
    assert isinstance(sub.subject["date_of_birth"], str)
    assert sub.applicant["phone"] == "0912345678"


def test_death_payload_is_valid_and_planned(citizen):
    sub = submission_clean(death_payload(), user=citizen)
    assert sub.services == ["death_registration", "residence_removal", "funeral_allowance"]
    assert sub.legs[1].automatic  # today is after 15/3/2026
    assert sub.subject["age_at_death"] == death_payload()["subject"]["age_at_death"]


def test_nothing_is_written(citizen):
    before = Dossier.objects.count()
    submission_clean(birth_payload(), user=citizen)
    errors_of(birth_payload(subject__full_name="<b>x</b>"), citizen)
    assert Dossier.objects.count() == before


# --- names and text -----------------------------------------------------------------

def test_names_are_stored_nfc_with_folded_spaces(citizen):
    decomposed = unicodedata.normalize("NFD", "  Trần   Minh Khang ")
    sub = submission_clean(birth_payload(subject__full_name=decomposed), user=citizen)
    assert sub.subject["full_name"] == "Trần Minh Khang"
    assert unicodedata.is_normalized("NFC", sub.subject["full_name"])


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "Trần Minh 2", "Trần\x00Minh", "Trần\u200bMinh",
                                  "Nguyễn; DROP TABLE", "K", "-Khang", "A" * 101])
def test_bad_names_are_refused(citizen, name):
    assert "subject.full_name" in errors_of(birth_payload(subject__full_name=name), citizen)


@pytest.mark.parametrize("name", ["H'Hen Niê", "Nguyễn Thị Ánh-Dương", "Y Moan Ênuôl", "Đặng Văn A"])
def test_real_names_pass(citizen, name):
    assert submission_clean(birth_payload(subject__full_name=name), user=citizen).subject["full_name"] == name


# Real names, typed as people type them (precomposed NFC; the first one also
# decomposed, as some keyboards send it).
VIETNAMESE_NAMES = ["Nguyễn Thị Ánh Tuyết", "Đặng Văn Ơn", "Lư Ưng", "Phạm Thị Ỷ", "Võ Đức Ưởng",
                    "Lê Thị Ngọc Ẩn", "Huỳnh Thị Kiều Oanh", "Trương Ưu Đàm", "Ông Ích Khiêm", "Đỗ Thị Hường",
                    "Bùi Xuân Phái", "Ksor Nay Blơ", "H'Hen Niê", "Lương Thị Thuỳ Dương"]


@pytest.mark.parametrize("name", [*VIETNAMESE_NAMES, unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"),
                                  # a foreign parent's name in one script is no look-alike
                                  "Иван Петров"])
def test_vietnamese_names_with_diacritics_pass_the_look_alike_check(citizen, name):
    payload = birth_payload(subject__full_name=name, subject__mother__full_name=name, applicant__full_name=name)
    sub = submission_clean(payload, user=citizen)
    assert sub.subject["full_name"] == sub.subject["mother"]["full_name"] == unicodedata.normalize("NFC", name)


LOOK_ALIKE = "Họ tên có ký tự trông giống chữ cái nhưng thuộc bảng mã khác"


@pytest.mark.parametrize("name", [
    "Ｎｇｕｙễｎ Văn An",            # fullwidth Latin (U+FF2E…)
    "𝐍𝐠𝐮𝐲𝐞𝐧 Văn An",               # mathematical bold (U+1D40D…)
    "𝑇𝑟𝑎̂̀𝑛 Minh Khang",            # mathematical italic
    "Nguyễn Vаn An",                # Cyrillic а (U+0430) among Latin letters
    "Trần Minh Κhang",              # Greek capital kappa (U+039A) among Latin letters
    "Lê Тhị Hoa",                   # Cyrillic capital te (U+0422)
    "ℕguyễn Văn An",                # double-struck N (letterlike symbols)
])
@pytest.mark.parametrize("key", ["applicant.full_name", "subject.full_name", "subject.mother.full_name",
                                 "subject.father.full_name"])
def test_look_alike_names_are_refused_naming_the_field(citizen, name, key):
    errors = errors_of(birth_payload(**{key.replace(".", "__"): name}), citizen)
    assert list(errors) == [key]
    assert errors[key][0].startswith(LOOK_ALIKE)


def test_markup_in_an_address_is_refused(citizen):
    errors = errors_of(birth_payload(subject__residence__address="Ấp 1 <img src=x onerror=alert(1)>"), citizen)
    assert errors["subject.residence.address"] == ["Không được chứa ký tự điều khiển hay mã HTML (< >)."]


def test_parent_name_is_checked_under_its_dotted_path(citizen):
    assert "subject.mother.full_name" in errors_of(birth_payload(subject__mother__full_name="Hoa123"), citizen)


# --- phone and e-mail -----------------------------------------------------------------

@pytest.mark.parametrize("raw, stored", [
    ("0912345678", "0912345678"), ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
    ("0912.345.678", "0912345678"), ("0277 3851 234", "02773851234"), ("(0277) 3851-234", "02773851234"),
])
def test_vietnamese_phone_numbers_are_normalised(citizen, raw, stored):
    assert submission_clean(birth_payload(applicant__phone=raw), user=citizen).applicant["phone"] == stored


@pytest.mark.parametrize("raw", ["12345", "0112345678", "091234567", "09123456789", "phone", "+1 202 555 0100"])
def test_bad_phone_numbers_are_refused(citizen, raw):
    assert "applicant.phone" in errors_of(birth_payload(applicant__phone=raw), citizen)


@pytest.mark.parametrize("raw", ["hoa", "hoa@", "hoa@@example.vn", "hoa example@x.vn"])
def test_bad_email_is_refused(citizen, raw):
    assert "applicant.email" in errors_of(birth_payload(applicant__email=raw), citizen)


def test_email_is_optional_and_its_domain_lower_cased(citizen):
    assert submission_clean(birth_payload(applicant__email=REMOVE), user=citizen).applicant["email"] == ""
    assert submission_clean(birth_payload(applicant__email="Hoa@Example.VN"), user=citizen).applicant["email"] \
        == "Hoa@example.vn"


# --- personal IDs ---------------------------------------------------------------------

def test_mother_id_of_a_man_is_refused(citizen):
    errors = errors_of(birth_payload(subject__mother__personal_id="082088004321"), citizen)
    assert "giới tính" in errors["subject.mother.personal_id"][0]


def test_applicant_id_contradicting_the_relationship_is_refused(citizen):
    errors = errors_of(birth_payload(applicant__relationship="father"), citizen)
    # The mother's number (sex digit 1: a woman) for a father.
    assert errors["applicant.personal_id"] == [
        "Số định danh cá nhân là của người có giới tính nữ, không khớp với giới tính đã khai."]


def test_deceased_id_contradicting_the_year_is_refused(citizen):
    errors = errors_of(death_payload(subject__personal_id="045053000123"), citizen)
    assert "năm sinh 1953" in errors["subject.personal_id"][0]


def test_parents_cannot_share_an_id(citizen):
    errors = errors_of(birth_payload(subject__father__personal_id="082190001234"), citizen)
    assert "Số định danh của cha trùng với số định danh của mẹ." in errors["subject.father.personal_id"]


def test_bad_social_insurance_number(citizen):
    assert "subject.social_insurance_number" in errors_of(death_payload(subject__social_insurance_number="12"), citizen)


# --- dates -----------------------------------------------------------------------------------

def test_future_birth_is_refused(citizen):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "subject.date_of_birth" in errors_of(birth_payload(subject__date_of_birth=tomorrow), citizen)


def test_future_death_is_refused(citizen):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "subject.date_of_death" in errors_of(death_payload(subject__date_of_death=tomorrow), citizen)


def test_death_before_birth_is_refused(citizen):
    errors = errors_of(death_payload(subject__date_of_death="1950-01-01"), citizen)
    assert "trước ngày sinh" in errors["subject.date_of_death"][0]


def test_age_at_death_must_match_the_dates(citizen):
    errors = errors_of(death_payload(subject__age_at_death=40), citizen)
    assert errors["subject.age_at_death"] == ["Tuổi khi chết không khớp với ngày sinh và ngày chết (74 tuổi)."]


def test_age_at_death_is_computed_when_absent(citizen):
    sub = submission_clean(death_payload(subject__age_at_death=REMOVE), user=citizen)
    assert sub.subject["age_at_death"] == death_payload()["subject"]["age_at_death"]


@pytest.mark.parametrize("days, late", [(60, False), (61, True)])
def test_late_birth_registration_is_flagged_not_refused(citizen, days, late):
    born = (timezone.localdate() - timedelta(days=days)).isoformat()
    sub = submission_clean(birth_payload(subject__date_of_birth=born), user=citizen)
    assert sub.is_late_registration is late
    assert any("Điều 15" in n for n in sub.notices) is late


@pytest.mark.parametrize("days, late", [(15, False), (16, True)])
def test_late_death_registration_is_flagged(citizen, days, late):
    died = (timezone.localdate() - timedelta(days=days)).isoformat()
    sub = submission_clean(death_payload(subject__date_of_death=died, subject__age_at_death=REMOVE), user=citizen)
    assert sub.is_late_registration is late


# --- units and jurisdiction ------------------------------------------------------------------

@pytest.mark.parametrize("code", ["99999", "82", "abc", "", "8" * 9])
def test_unit_must_be_a_current_commune(citizen, code):
    assert "unit" in errors_of(birth_payload(unit=code), citizen)


def test_a_legacy_only_commune_is_not_current(citizen):
    current = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT).values("code")
    legacy = AdminUnit.objects.filter(map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.COMMUNE).exclude(
        code__in=current).first()
    errors = errors_of(birth_payload(unit=legacy.code, subject__residence__unit=legacy.code), citizen)
    assert "hiện hành" in errors["unit"][0]


def test_birth_is_registered_where_a_parent_resides(citizen):
    elsewhere = other_commune()
    errors = errors_of(birth_payload(unit=elsewhere.code), citizen)
    assert "Luật Hộ tịch 2014, Điều 13" in errors["unit"][0]


def test_death_is_registered_at_the_last_residence(citizen):
    elsewhere = other_commune()
    errors = errors_of(death_payload(subject__residence={"unit": elsewhere.code, "address": "Ấp 2"}), citizen)
    assert "Luật Hộ tịch 2014, Điều 32" in errors["unit"][0]
    same = death_payload(subject__residence={"unit": UNIT, "address": "Ấp 2"})
    assert submission_clean(same, user=citizen).subject["residence"]["unit"] == UNIT


def test_clerk_files_only_at_their_own_commune():
    clerk = person("v-clerk", Role.ONE_STOP_CLERK, unit=unit(UNIT))
    assert submission_clean(birth_payload(channel="one_stop"), user=clerk).channel == "one_stop"
    elsewhere = other_commune()
    payload = birth_payload(channel="one_stop", unit=elsewhere.code, subject__residence__unit=elsewhere.code)
    assert "unit" in errors_of(payload, clerk)


def test_officers_do_not_file_dossiers():
    officer = person("v-officer", Role.OFFICER, unit=unit(UNIT), agency="justice")
    assert "unit" in errors_of(birth_payload(), officer)


def test_citizens_file_online(citizen):
    assert "channel" in errors_of(birth_payload(channel="one_stop"), citizen)


# --- historical imports ----------------------------------------------------------------------

def test_only_admins_set_submitted_at(citizen):
    errors = errors_of(birth_payload(submitted_at="2024-08-01T09:00:00+07:00"), citizen)
    assert list(errors) == ["submitted_at"]


def test_import_uses_the_legacy_map_and_the_rules_of_that_day(admin):
    payload = birth_payload(submitted_at="2024-06-28T09:00:00+07:00", subject__date_of_birth="2024-06-20")
    sub = submission_clean(payload, user=admin)
    assert sub.unit.map == AdminUnit.Map.LEGACY and sub.unit.code == UNIT  # then Thị trấn Sa Rài
    assert timezone.localtime(sub.submitted_at).date().isoformat() == "2024-06-28"
    assert not sub.is_late_registration


def test_import_with_a_unit_not_valid_that_day_is_refused(admin):
    # A current-map-only commune code did not exist before 1/7/2025.
    legacy = AdminUnit.objects.filter(map=AdminUnit.Map.LEGACY).values("code")
    new_only = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE).exclude(
        code__in=legacy).first()
    payload = birth_payload(submitted_at="2024-08-01T09:00:00+07:00", subject__date_of_birth="2024-07-25",
                            unit=new_only.code, subject__residence__unit=new_only.code)
    assert "01/08/2024" in errors_of(payload, admin)["unit"][0]


def test_import_switches_residence_removal_at_15_march_2026(admin):
    head = dict(subject__is_household_head=True, subject__date_of_death="2026-03-13", subject__age_at_death=REMOVE)
    before = death_payload(submitted_at="2026-03-14T09:00:00+07:00", **head)
    errors = errors_of(before, admin)
    assert "chủ hộ" in errors["services"][0]
    after = submission_clean(death_payload(submitted_at="2026-03-16T09:00:00+07:00", **head), user=admin)
    removal = next(leg for leg in after.legs if leg.service == "residence_removal")
    assert removal.automatic and removal.deadline_days == 1
    assert any("chủ hộ" in n for n in after.notices)


@pytest.mark.parametrize("when", ["2023-07-09T09:00:00+07:00", "2099-01-01T09:00:00+07:00", "yesterday"])
def test_import_dates_outside_the_linked_service_are_refused(admin, when):
    assert "submitted_at" in errors_of(birth_payload(submitted_at=when), admin)


def test_verification_lengthens_the_residence_leg():
    clerk = person("v-clerk", Role.ONE_STOP_CLERK, unit=unit(UNIT))
    sub = submission_clean(birth_payload(channel="one_stop", needs_verification=True), user=clerk)
    assert sub.needs_verification and sub.legs[1].deadline_days == 5


def test_a_citizen_cannot_ask_for_verification(citizen):
    # The clerk's call: a citizen setting it moved the police deadline from 2 to 5 working days.
    errors = errors_of(birth_payload(needs_verification=True), citizen)
    assert list(errors) == ["needs_verification"]
    assert "cán bộ một cửa" in errors["needs_verification"][0]
    # Leaving it at its default is fine.
    assert not submission_clean(birth_payload(needs_verification=False), user=citizen).needs_verification


def test_a_citizen_setting_verification_through_the_api_gets_a_400_naming_it(client, citizen):
    client.force_login(citizen)
    response = client.post("/api/v1/dossiers/", birth_payload(needs_verification=True),
                           content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["needs_verification"]
    assert not Dossier.objects.exists()


# --- attachments ------------------------------------------------------------------------------

@pytest.mark.parametrize("content, name, kind", [(PDF, "giay-chung-sinh.pdf", "application/pdf"),
                                                 (PNG, "anh.png", "image/png"),
                                                 (JPEG, "anh.JPG", "image/jpeg"),
                                                 (PDF, "misnamed.png", "application/pdf")])
def test_attachments_are_judged_by_content(content, name, kind):
    clean = attachment_clean(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert (clean.content_type, clean.size, len(clean.sha256)) == (kind, len(content), 64)


NOT_A_DOCUMENT = "Tệp “{}” không phải PDF, JPEG hay PNG (kiểm tra theo nội dung tệp)."


@pytest.mark.parametrize("content, name, message", [(b"MZ\x90\x00", "virus.pdf", NOT_A_DOCUMENT),
                                                    (b"<html>", "page.png", NOT_A_DOCUMENT),
                                                    (b"", "empty.pdf", "Tệp “{}” rỗng."),
                                                    (b"GIF89a", "anim.jpg", NOT_A_DOCUMENT)])
def test_other_content_is_refused(content, name, message):
    with pytest.raises(DomainError) as exc:
        attachment_clean(SimpleUploadedFile(name, content))
    assert exc.value.errors == {"attachments": [message.format(name)]}


def test_attachment_over_10_mb_is_refused(settings, citizen):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * settings.MAX_UPLOAD_SIZE)
    errors = errors_of(birth_payload(), citizen, files=[big])
    assert "MB" in errors["attachments"][0]


def test_attachment_names_lose_their_paths():
    clean = attachment_clean(SimpleUploadedFile("../../etc/giấy <x>.pdf", PDF))
    assert clean.name == "giấy x.pdf"


def test_submission_carries_clean_files(citizen):
    sub = submission_clean(birth_payload(), user=citizen, files=[SimpleUploadedFile("a.pdf", PDF)])
    assert [f.content_type for f in sub.files] == ["application/pdf"]


# --- shapes and language ------------------------------------------------------------------------

def test_structural_messages_are_vietnamese(citizen):
    errors = errors_of(birth_payload(subject__sex=REMOVE, applicant__full_name=REMOVE), citizen)
    assert errors["subject.sex"] == ["Trường này là bắt buộc."]
    assert errors["applicant.full_name"] == ["Trường này là bắt buộc."]


def test_submitted_at_aware_datetime_object_is_accepted(admin):
    when = timezone.make_aware(datetime(2025, 9, 1, 9, 0))
    payload = birth_payload(submitted_at=when.isoformat(), subject__date_of_birth="2025-08-25")
    assert submission_clean(payload, user=admin).submitted_at == when
