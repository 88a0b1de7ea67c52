"""Forms of the citizens' pages (the account and draft services they rely
on are in citizens.services). The dossier itself is validated and written by
`dossiers.validation` and `dossiers.services`; these forms only shape the
citizen's answers into the API payload (docs/api.md); the rules on those
answers are the engine's, checked at the step where they are typed."""
from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.auth import contact_parse
from agencies.models import AdminUnit
from agencies.phones import phone_normalize
from agencies.selectors import by_name
from dossiers.eligibility import PREREQUISITE
from dossiers.validation import submission_clean
from dossiers.vocabulary import (
    BENEFIT_CHOICES,
    BUNDLE_RELATIONSHIPS,
    NO_SPECIAL_CASE,
    BenefitCategory,
    Bundle,
    HouseholdType,
    Satisfaction,
    Sex,
    SpecialCase,
)
from lienthong.errors import DomainError
from lienthong.forms import leave_rules_to_the_engine
from lienthong.text import nfc

# --- accounts -------------------------------------------------------------------

class SignupForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=120)
    contact = forms.CharField(label=gettext_lazy("Số điện thoại hoặc thư điện tử"), max_length=255,
                              help_text=gettext_lazy("Mã xác nhận sẽ được gửi tới đây."))
    password1 = forms.CharField(label=gettext_lazy("Mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Nhập lại mật khẩu"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_full_name(self) -> str:
        return nfc(self.cleaned_data["full_name"])

    def clean_contact(self) -> tuple[str, str]:
        try:
            kind, value = contact_parse(self.cleaned_data["contact"])
        except DomainError as exc:
            raise ValidationError(exc.errors["contact"]) from None
        # Whether it is taken is the sign-up service's decision (citizens.services).
        return kind, value

    def clean(self) -> dict[str, Any]:
        return _check_new_password(self, super().clean() or {})


def _check_new_password(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
    """The two password boxes of sign-up and reset: equal, and strong enough."""
    p1, p2 = data.get("password1"), data.get("password2")
    if p1 and p2 and p1 != p2:
        form.add_error("password2", _("Hai mật khẩu không khớp."))
    elif p1:
        try:
            password_validation.validate_password(p1)
        except ValidationError as exc:
            form.add_error("password1", exc)
    return data


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã xác nhận (6 chữ số)"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}"}))


class PasswordResetRequestForm(forms.Form):
    contact = forms.CharField(label=gettext_lazy("Số điện thoại hoặc thư điện tử đã đăng ký"), max_length=255)


class PasswordResetConfirmForm(CodeForm):
    password1 = forms.CharField(label=gettext_lazy("Mật khẩu mới"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Nhập lại mật khẩu mới"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        return _check_new_password(self, super().clean() or {})


# --- the submission wizard ---------------------------------------------------------

STEP_LABELS = {
    "noi-nop": gettext_lazy("Nhóm thủ tục và nơi nộp"),
    "nguoi": gettext_lazy("Thông tin người được đăng ký"),
    "thu-tuc": gettext_lazy("Chọn thủ tục"),
    "giay-to": gettext_lazy("Giấy tờ kèm theo"),
    "xac-nhan": gettext_lazy("Kiểm tra và nộp"),
}
# Where a validation error with this dotted prefix is fixed.
FIELD_STEP = [("unit", "noi-nop"), ("subject.residence", "noi-nop"), ("services", "thu-tuc"),
              ("attachments", "giay-to"), ("files", "giay-to"), ("subject", "nguoi"), ("applicant", "nguoi"),
              ("bundle", "noi-nop")]


def step_for_field(field: str) -> str:
    for prefix, step in FIELD_STEP:
        if field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "["):
            return step
    return "xac-nhan"


SEX_CHOICES = Sex.choices
RELATIONSHIPS_BIRTH = [(r.value, r.label) for r in BUNDLE_RELATIONSHIPS[Bundle.BIRTH]]
RELATIONSHIPS_DEATH = [(r.value, r.label) for r in BUNDLE_RELATIONSHIPS[Bundle.DEATH]]
SPECIAL_CASES = [("", NO_SPECIAL_CASE), *SpecialCase.choices]
HOUSEHOLD_TYPES = HouseholdType.choices
YES_NO = [("yes", gettext_lazy("Có")), ("no", gettext_lazy("Không"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, date) else value


class PlaceForm(forms.Form):
    # The citizen picks what to do; each choice says what the bundle brings along.
    bundle = forms.ChoiceField(label=gettext_lazy("Bạn muốn đăng ký"), widget=forms.RadioSelect, choices=[
        (Bundle.BIRTH, gettext_lazy("Khai sinh cho con (kèm đăng ký thường trú, thẻ BHYT)")),
        (Bundle.DEATH, gettext_lazy("Khai tử cho người thân (kèm xóa thường trú, mai táng phí)"))])
    province = forms.ChoiceField(label=gettext_lazy("Tỉnh/thành phố nơi cư trú"))
    unit = forms.ChoiceField(label=gettext_lazy("Xã/phường nơi cư trú"))
    address = forms.CharField(label=gettext_lazy("Địa chỉ (số nhà, đường, thôn/ấp)"), max_length=255)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        provinces = by_name(AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE))
        cast(forms.ChoiceField, self.fields["province"]).choices = [("", _("— Chọn tỉnh/thành phố —"))] + [(p.code, p.name) for p in provinces]
        province = self.data.get("province") if self.is_bound else self.initial.get("province")
        cast(forms.ChoiceField, self.fields["unit"]).choices = commune_choices(province)


def commune_choices(province_code: str | None) -> list[tuple[str, str]]:
    empty = [("", _("— Chọn xã/phường —"))]
    if not province_code:
        return empty
    communes = by_name(AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE,
                                                province__code=province_code, province__map=AdminUnit.Map.CURRENT))
    return empty + [(c.code, c.name) for c in communes]


def _given(**values: Any) -> dict[str, Any]:
    """What was typed, without the blanks: a blank answer is a missing key,
    as in the API, so the engine says what is missing in its own words."""
    return {key: value for key, value in values.items() if value not in ("", None)}


def _yes_no(value: Any) -> Any:
    """A yes/no radio as the API's boolean; anything else goes to the engine
    as it came, for the engine to refuse in its words."""
    return {"yes": True, "no": False}.get(value, value)


def _text(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


class SubjectStepForm(forms.Form):
    """The "nguoi" step. The form only shapes answers into the API payload;
    every rule is the engine's (`dossiers.validation`): after shaping, the
    draft so far is validated by the engine and its errors about this step's
    fields are shown next to them, with the engine's messages."""

    applicant_name = forms.CharField(label=gettext_lazy("Họ tên người nộp (bạn)"))
    applicant_personal_id = forms.CharField(label=gettext_lazy("Số định danh cá nhân của bạn"),
                                            widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    applicant_phone = forms.CharField(label=gettext_lazy("Số điện thoại liên hệ"),
                                      widget=forms.TextInput(attrs={"inputmode": "tel"}))
    applicant_email = forms.CharField(label=gettext_lazy("Thư điện tử"), required=False,
                                      widget=forms.EmailInput())

    # Form field → the dotted path of the payload (and of the engine's errors).
    PATHS: dict[str, str] = {
        "applicant_name": "applicant.full_name", "applicant_personal_id": "applicant.personal_id",
        "applicant_phone": "applicant.phone", "applicant_email": "applicant.email",
        "relationship": "applicant.relationship",
    }
    STEP = "nguoi"

    def __init__(self, *args: Any, draft: dict[str, Any] | None = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft, self.user = draft or {}, user
        leave_rules_to_the_engine(self, list(self.PATHS))

    def applicant(self) -> dict[str, Any]:
        d = self.cleaned_data
        return _given(full_name=_text(d.get("applicant_name")), personal_id=(d.get("applicant_personal_id") or "").strip(),
                      phone=phone_normalize(d.get("applicant_phone")), email=(d.get("applicant_email") or "").strip(),
                      relationship=d.get("relationship"))

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:  # a date that could not be read: say that first
            return cleaned
        applied = self.apply(self.draft)
        self.applied = applied
        bundle = applied.get("bundle")
        # Services are chosen at a later step; until then, check with the
        # one every dossier of the bundle has.
        probe = {**applied, "services": applied.get("services") or [PREREQUISITE.get(str(bundle), "")]}
        try:
            submission_clean(probe, user=self.user)
        except DomainError as exc:
            by_path = {path: name for name, path in self.PATHS.items()}
            for key, messages in exc.errors.items():
                if step_for_field(key) != self.STEP:
                    continue
                for message in messages:
                    self.add_error(by_path.get(key), message)
        return cleaned


class BirthSubjectForm(SubjectStepForm):
    full_name = forms.CharField(label=gettext_lazy("Họ, chữ đệm và tên của trẻ"))
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=DateInput)
    place_of_birth = forms.CharField(label=gettext_lazy("Nơi sinh (bệnh viện, trạm y tế…)"))
    ethnicity = forms.CharField(label=gettext_lazy("Dân tộc"), initial="Kinh")
    special_case = forms.ChoiceField(label=gettext_lazy("Trường hợp đặc biệt"), choices=SPECIAL_CASES)
    mother_name = forms.CharField(label=gettext_lazy("Họ tên người mẹ"))
    mother_personal_id = forms.CharField(label=gettext_lazy("Số định danh cá nhân của mẹ"),
                                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    father_name = forms.CharField(label=gettext_lazy("Họ tên người cha"))
    father_personal_id = forms.CharField(label=gettext_lazy("Số định danh cá nhân của cha"),
                                         widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    household_type = forms.ChoiceField(label=gettext_lazy("Cha mẹ cư trú theo"), choices=HOUSEHOLD_TYPES,
                                       widget=forms.RadioSelect, initial=HouseholdType.FAMILY)
    first_health_insurance_card = forms.ChoiceField(label=gettext_lazy("Đây là lần đầu trẻ được cấp thẻ BHYT?"),
                                                    choices=YES_NO, widget=forms.RadioSelect, initial="yes")
    relationship = forms.ChoiceField(label=gettext_lazy("Bạn là gì của trẻ?"), choices=RELATIONSHIPS_BIRTH)
    field_order = ["full_name", "sex", "date_of_birth", "place_of_birth", "ethnicity", "special_case",
                   "mother_name", "mother_personal_id", "father_name", "father_personal_id", "household_type",
                   "first_health_insurance_card", "relationship", "applicant_name", "applicant_personal_id",
                   "applicant_phone", "applicant_email"]

    PATHS = {
        **SubjectStepForm.PATHS,
        "full_name": "subject.full_name", "sex": "subject.sex", "date_of_birth": "subject.date_of_birth",
        "place_of_birth": "subject.place_of_birth", "ethnicity": "subject.ethnicity",
        "special_case": "subject.special_case", "mother_name": "subject.mother.full_name",
        "mother_personal_id": "subject.mother.personal_id", "father_name": "subject.father.full_name",
        "father_personal_id": "subject.father.personal_id", "household_type": "subject.residence.household_type",
        "first_health_insurance_card": "subject.first_health_insurance_card",
    }

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        d = self.cleaned_data
        subject = dict(data.get("subject") or {})
        residence = {**(subject.get("residence") or {}), **_given(household_type=d.get("household_type"))}
        for key in ("full_name", "sex", "date_of_birth", "place_of_birth", "ethnicity", "mother", "father",
                    "first_health_insurance_card"):
            subject.pop(key, None)
        # A parent with nothing typed is a parent not identified (API: null).
        mother = _given(full_name=_text(d.get("mother_name")), personal_id=(d.get("mother_personal_id") or "").strip())
        father = _given(full_name=_text(d.get("father_name")), personal_id=(d.get("father_personal_id") or "").strip())
        first = _yes_no(d.get("first_health_insurance_card"))
        subject.update(_given(
            full_name=_text(d.get("full_name")), sex=d.get("sex"),
            date_of_birth=d["date_of_birth"].isoformat() if d.get("date_of_birth") else None,
            place_of_birth=_text(d.get("place_of_birth")), ethnicity=_text(d.get("ethnicity")),
            first_health_insurance_card=first))
        subject.update({"nationality": "VN", "special_case": d.get("special_case") or None,
                        "mother": mother or None, "father": father or None, "residence": residence})
        return {**data, "subject": subject, "applicant": self.applicant()}

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        s, a = data.get("subject") or {}, data.get("applicant") or {}
        mother, father = s.get("mother") or {}, s.get("father") or {}
        first = s.get("first_health_insurance_card")
        return {k: v for k, v in {
            "full_name": s.get("full_name"), "sex": s.get("sex"), "date_of_birth": s.get("date_of_birth"),
            "place_of_birth": s.get("place_of_birth"), "ethnicity": s.get("ethnicity") or "Kinh",
            "special_case": s.get("special_case") or "",
            "mother_name": mother.get("full_name"), "mother_personal_id": mother.get("personal_id"),
            "father_name": father.get("full_name"), "father_personal_id": father.get("personal_id"),
            "household_type": (s.get("residence") or {}).get("household_type") or HouseholdType.FAMILY,
            "first_health_insurance_card": "no" if first is False else "yes",
            **_applicant_initial(a),
        }.items() if v is not None}


class DeathSubjectForm(SubjectStepForm):
    full_name = forms.CharField(label=gettext_lazy("Họ, chữ đệm và tên người đã mất"))
    personal_id = forms.CharField(label=gettext_lazy("Số định danh cá nhân của người đã mất"),
                                  widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=SEX_CHOICES, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=DateInput)
    date_of_death = forms.DateField(label=gettext_lazy("Ngày mất"), widget=DateInput)
    place_of_death = forms.CharField(label=gettext_lazy("Nơi mất"))
    had_permanent_residence = forms.ChoiceField(label=gettext_lazy("Người mất có đăng ký thường trú?"), choices=YES_NO,
                                                widget=forms.RadioSelect, initial="yes")
    is_household_head = forms.ChoiceField(label=gettext_lazy("Người mất là chủ hộ?"), choices=YES_NO,
                                          widget=forms.RadioSelect, initial="no")
    benefit_category = forms.ChoiceField(label=gettext_lazy("Trước khi mất, người mất"), choices=BENEFIT_CHOICES,
                                         initial=BenefitCategory.NONE)
    social_insurance_number = forms.CharField(label=gettext_lazy("Mã số BHXH (nếu có)"),
                                              widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    # Numbers travel as typed: the engine parses them and names what is wrong.
    compulsory_months = forms.CharField(label=gettext_lazy("Số tháng đóng BHXH bắt buộc"), initial=0,
                                        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    voluntary_months = forms.CharField(label=gettext_lazy("Số tháng đóng BHXH tự nguyện"), initial=0,
                                       widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    relationship = forms.ChoiceField(label=gettext_lazy("Bạn là gì của người mất?"), choices=RELATIONSHIPS_DEATH)
    field_order = ["full_name", "personal_id", "sex", "date_of_birth", "date_of_death", "place_of_death",
                   "had_permanent_residence", "is_household_head", "benefit_category", "social_insurance_number",
                   "compulsory_months", "voluntary_months", "relationship", "applicant_name",
                   "applicant_personal_id", "applicant_phone", "applicant_email"]

    PATHS = {
        **SubjectStepForm.PATHS,
        "full_name": "subject.full_name", "personal_id": "subject.personal_id", "sex": "subject.sex",
        "date_of_birth": "subject.date_of_birth", "date_of_death": "subject.date_of_death",
        "place_of_death": "subject.place_of_death", "had_permanent_residence": "subject.had_permanent_residence",
        "is_household_head": "subject.is_household_head", "benefit_category": "subject.benefit_category",
        "social_insurance_number": "subject.social_insurance_number",
        "compulsory_months": "subject.compulsory_months", "voluntary_months": "subject.voluntary_months",
    }

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        d = self.cleaned_data
        born, died = d.get("date_of_birth"), d.get("date_of_death")
        subject = {"residence": (data.get("subject") or {}).get("residence")} if (data.get("subject") or {}).get(
            "residence") else {}
        subject.update(_given(
            full_name=_text(d.get("full_name")), personal_id=(d.get("personal_id") or "").strip(), sex=d.get("sex"),
            date_of_birth=born.isoformat() if born else None, date_of_death=died.isoformat() if died else None,
            place_of_death=_text(d.get("place_of_death")),
            had_permanent_residence=_yes_no(d.get("had_permanent_residence")),
            is_household_head=_yes_no(d.get("is_household_head")),
            benefit_category=d.get("benefit_category"),
            social_insurance_number=(d.get("social_insurance_number") or "").strip(),
            compulsory_months=(d.get("compulsory_months") or "").strip(),
            voluntary_months=(d.get("voluntary_months") or "").strip()))
        if born and died and died >= born:
            # Derived, not asked: the engine checks it against the two dates.
            subject["age_at_death"] = died.year - born.year - ((died.month, died.day) < (born.month, born.day))
        return {**data, "subject": subject, "applicant": self.applicant()}

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        s, a = data.get("subject") or {}, data.get("applicant") or {}
        yn: dict[Any, str] = {True: "yes", False: "no"}
        return {k: v for k, v in {
            "full_name": s.get("full_name"), "personal_id": s.get("personal_id"), "sex": s.get("sex"),
            "date_of_birth": s.get("date_of_birth"), "date_of_death": s.get("date_of_death"),
            "place_of_death": s.get("place_of_death"),
            "had_permanent_residence": yn.get(s.get("had_permanent_residence")),
            "is_household_head": yn.get(s.get("is_household_head")),
            "benefit_category": s.get("benefit_category"),
            "social_insurance_number": s.get("social_insurance_number"),
            "compulsory_months": s.get("compulsory_months"), "voluntary_months": s.get("voluntary_months"),
            **_applicant_initial(a),
        }.items() if v is not None}


def _applicant_initial(a: dict[str, Any]) -> dict[str, Any]:
    return {"applicant_name": a.get("full_name"), "applicant_personal_id": a.get("personal_id"),
            "applicant_phone": a.get("phone"), "applicant_email": a.get("email"),
            "relationship": a.get("relationship")}


class AttachmentForm(forms.Form):
    # Two inputs, so a phone offers both the camera and the gallery/files.
    photo = forms.FileField(label=gettext_lazy("Chụp ảnh giấy tờ"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    # The metaclass moves fields off the class, so this does not shadow Form.files.
    files = forms.FileField(label=gettext_lazy("Chọn ảnh hoặc tệp PDF"), required=False, widget=forms.ClearableFileInput(  # type: ignore[assignment]
        attrs={"accept": "image/*,application/pdf"}))


class SupplementForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Nội dung bổ sung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photo = forms.FileField(label=gettext_lazy("Chụp ảnh giấy tờ"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    # The metaclass moves fields off the class, so this does not shadow Form.files.
    files = forms.FileField(label=gettext_lazy("Chọn ảnh hoặc tệp PDF"), required=False, widget=forms.ClearableFileInput(  # type: ignore[assignment]
        attrs={"accept": "image/*,application/pdf"}))


class RatingForm(forms.Form):
    """The citizen's satisfaction with the handling (dossiers.services.rating
    checks the values and says which field is wrong)."""

    level = forms.ChoiceField(label=gettext_lazy("Mức độ hài lòng"), choices=Satisfaction.choices,
                              widget=forms.RadioSelect, required=False)
    comment = forms.CharField(label=gettext_lazy("Góp ý"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The engine decides what is allowed, in its own words.
        leave_rules_to_the_engine(self, ["level", "comment"])


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã hồ sơ"), max_length=32)
    phone = forms.CharField(label=gettext_lazy("Số điện thoại người nộp"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp PDF cần kiểm tra"), widget=forms.ClearableFileInput(
        attrs={"accept": "application/pdf"}))
