"""Forms of the staff pages (counter intake, leg actions, difficulty reports).

These forms only parse what was typed (dd/mm/yyyy dates, check boxes) and shape it into
the API payload of POST /api/v1/dossiers/ (docs/api.md). Whether a dossier
may be filed, and with which legs, is decided by `dossiers.validation` and
`dossiers.eligibility` through the services; their DomainError keys (dotted
paths such as ``subject.mother.personal_id``) are mapped back onto these fields
by `add_domain_errors`, so every refusal shows next to the field it names.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers.models import Bundle, Channel, Service
from dossiers.vocabulary import (
    BENEFIT_CHOICES,
    BUNDLE_SERVICES,
    NO_SPECIAL_CASE,
    PREREQUISITE,
    BenefitCategory,
    HouseholdType,
    Relationship,
    Satisfaction,
    Sex,
    SpecialCase,
)
from lienthong.dates import bounded
from lienthong.forms import LabelledForm, date_field, leave_rules_to_the_engine, name_errors, pid_field, text_field

BIRTH_SERVICES = BUNDLE_SERVICES[Bundle.BIRTH]
DEATH_SERVICES = BUNDLE_SERVICES[Bundle.DEATH]
# The first service of each bundle is always part of it (docs/domain.md §3.1, §3.2).
ALWAYS = PREREQUISITE

SEX_CHOICES = [("", _("— Chọn —")), *Sex.choices]
RELATIONSHIP_CHOICES = Relationship.choices
SPECIAL_CASE_CHOICES = [("", NO_SPECIAL_CASE), *SpecialCase.choices]
HOUSEHOLD_CHOICES = HouseholdType.choices


class CounterForm(LabelledForm):
    """Intake at the one-stop counter, for either bundle (`bundle` decides
    which fieldsets are shown and sent)."""

    bundle = forms.ChoiceField(label=_("Nhóm thủ tục"), choices=Bundle.choices, widget=forms.HiddenInput)
    services = forms.MultipleChoiceField(label=_("Thủ tục đề nghị giải quyết"), choices=Service.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)

    applicant__full_name = text_field(_("Họ và tên người nộp"), autocomplete="off")
    applicant__personal_id = pid_field(_("Số định danh cá nhân người nộp"))
    applicant__relationship = forms.ChoiceField(label=_("Quan hệ với người được đăng ký"),
                                                choices=RELATIONSHIP_CHOICES, required=False)
    applicant__phone = text_field(_("Số điện thoại"), max_length=20, inputmode="tel", autocomplete="off")
    applicant__email = forms.EmailField(label=_("Thư điện tử"), required=False)

    # Both bundles
    subject__full_name = text_field(_("Họ và tên"), autocomplete="off")
    subject__sex = forms.ChoiceField(label=_("Giới tính"), choices=SEX_CHOICES, required=False)
    subject__date_of_birth = date_field(_("Ngày sinh"))

    # Birth bundle
    subject__place_of_birth = text_field(_("Nơi sinh"), max_length=255)
    subject__ethnicity = text_field(_("Dân tộc"), max_length=40)
    subject__nationality = text_field(_("Quốc tịch"), max_length=2)
    subject__special_case = forms.ChoiceField(label=_("Trường hợp đặc biệt"), choices=SPECIAL_CASE_CHOICES,
                                              required=False)
    subject__mother__full_name = text_field(_("Họ và tên mẹ"), autocomplete="off")
    subject__mother__personal_id = pid_field(_("Số định danh cá nhân của mẹ"))
    subject__father__full_name = text_field(_("Họ và tên cha"), autocomplete="off")
    subject__father__personal_id = pid_field(_("Số định danh cá nhân của cha"))
    # Picked by name from a list (searchable without diacritics), never typed as a code.
    subject__residence__unit = forms.CharField(label=_("Xã/phường nơi thường trú"), required=False, max_length=8,
                                               widget=forms.Select)
    subject__residence__address = text_field(_("Địa chỉ thường trú"), max_length=255)
    subject__residence__household_type = forms.ChoiceField(label=_("Loại hộ"), choices=HOUSEHOLD_CHOICES,
                                                           required=False)
    subject__first_health_insurance_card = forms.BooleanField(label=_("Cấp thẻ BHYT lần đầu"), required=False)
    needs_verification = forms.BooleanField(label=_("Cần xác minh nơi cư trú"), required=False)

    # Death bundle
    subject__personal_id = pid_field(_("Số định danh cá nhân người chết"))
    subject__date_of_death = date_field(_("Ngày chết"))
    subject__place_of_death = text_field(_("Nơi chết"), max_length=255)
    subject__had_permanent_residence = forms.BooleanField(label=_("Có đăng ký thường trú"), required=False)
    subject__is_household_head = forms.BooleanField(label=_("Là chủ hộ"), required=False)
    subject__benefit_category = forms.ChoiceField(label=_("Chế độ đang hưởng"), choices=BENEFIT_CHOICES,
                                                  required=False)
    subject__social_insurance_number = text_field(_("Mã số BHXH"), max_length=12, inputmode="numeric")
    # Numbers travel as typed: the engine parses them and names what is wrong.
    subject__compulsory_months = text_field(_("Số tháng đóng BHXH bắt buộc"), inputmode="numeric")
    subject__voluntary_months = text_field(_("Số tháng đóng BHXH tự nguyện"), inputmode="numeric")
    subject__age_at_death = text_field(_("Tuổi khi chết"), inputmode="numeric")

    BIRTH_FIELDS = ("subject__full_name", "subject__sex", "subject__date_of_birth", "subject__place_of_birth",
                    "subject__ethnicity", "subject__nationality", "subject__special_case",
                    "subject__mother__full_name", "subject__mother__personal_id", "subject__father__full_name",
                    "subject__father__personal_id", "subject__residence__unit", "subject__residence__address",
                    "subject__residence__household_type", "subject__first_health_insurance_card",
                    "needs_verification")
    DEATH_FIELDS = ("subject__full_name", "subject__personal_id", "subject__sex", "subject__date_of_birth",
                    "subject__date_of_death", "subject__place_of_death", "subject__had_permanent_residence",
                    "subject__is_household_head", "subject__benefit_category",
                    "subject__social_insurance_number", "subject__compulsory_months",
                    "subject__voluntary_months", "subject__age_at_death", "subject__residence__unit",
                    "subject__residence__address")
    APPLICANT_FIELDS = ("applicant__full_name", "applicant__personal_id", "applicant__relationship",
                        "applicant__phone", "applicant__email")

    def __init__(self, *args: Any, bundle: str = Bundle.BIRTH, unit_code: str = "", commune_search: str = "",
                 **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        initial.setdefault("bundle", bundle)
        if bundle == Bundle.BIRTH:
            initial.setdefault("services", [str(s) for s in BIRTH_SERVICES])
            initial.setdefault("subject__ethnicity", "Kinh")
            initial.setdefault("subject__nationality", "VN")
            initial.setdefault("subject__residence__unit", unit_code)
            initial.setdefault("subject__residence__household_type", HouseholdType.FAMILY)
            initial.setdefault("subject__first_health_insurance_card", True)
            initial.setdefault("applicant__relationship", Relationship.MOTHER)
        else:
            initial.setdefault("services", [str(Service.DEATH_REGISTRATION), str(Service.RESIDENCE_REMOVAL)])
            initial.setdefault("subject__had_permanent_residence", True)
            initial.setdefault("subject__residence__unit", unit_code)
            initial.setdefault("subject__benefit_category", BenefitCategory.NONE)
            initial.setdefault("applicant__relationship", Relationship.CHILD)
        super().__init__(*args, initial=initial, **kwargs)
        self.bundle_code = self.data["bundle"] if self.is_bound and self.data.get("bundle") in Bundle.values \
            else bundle
        self.unit_code = unit_code
        choices = BIRTH_SERVICES if self.bundle_code == Bundle.BIRTH else DEATH_SERVICES
        cast(forms.ChoiceField, self.fields["services"]).choices = [(str(s), s.label) for s in choices]
        if self.bundle_code == Bundle.BIRTH:
            self.fields["subject__full_name"].label = _("Họ, chữ đệm và tên của trẻ")
        else:
            self.fields["subject__full_name"].label = _("Họ, chữ đệm và tên người chết")
            self.fields["subject__residence__unit"].label = _("Xã/phường nơi cư trú cuối cùng")
            self.fields["subject__residence__address"].label = _("Địa chỉ nơi cư trú cuối cùng")
        source = self.data if self.is_bound else self.initial
        self.commune_search = commune_search
        communes = commune_choices(commune_search, unit_code=unit_code,
                                   keep=str(source.get("subject__residence__unit") or ""))
        cast(forms.Select, self.fields["subject__residence__unit"].widget).choices = communes
        if commune_search and not self.is_bound and communes[0][0]:
            # Search-then-choose without JavaScript: the first match is picked.
            self.initial["subject__residence__unit"] = communes[0][0]
        # Every rule on what was typed is the engine's (the same as the API's).
        leave_rules_to_the_engine(self, ("services", *self.APPLICANT_FIELDS, *self.BIRTH_FIELDS,
                                         *self.DEATH_FIELDS))
        if not self.is_bound:
            # The clerk starts typing the person's name as soon as the page
            # opens; after a commune search, chooses among the matches.
            first = "subject__residence__unit" if commune_search else "subject__full_name"
            self.fields[first].widget.attrs["autofocus"] = True
        name_errors(self)
        # The summary lists problems in the order of the page.
        self.order_fields(["bundle", "services", *(self.BIRTH_FIELDS if self.bundle_code == Bundle.BIRTH
                                                   else self.DEATH_FIELDS), *self.APPLICANT_FIELDS])
        from dossiers import validation

        # The engine says what is required; the page marks it (*).
        for path in validation.required_paths(self.bundle_code):
            name = path.replace(".", "__")
            if name in self.fields and name != "services":
                self.fields[name].widget.attrs["aria-required"] = "true"
                self.fields[name].engine_required = True  # type: ignore[attr-defined]

    def add_domain_errors(self, errors: Any) -> None:
        """The engine's errors, but none on a field whose typed value did not
        parse: the form's message already stands for it (one per field)."""
        super().add_domain_errors({key: messages for key, messages in errors.items()
                                   if not (key.replace(".", "__") in self.fields
                                           and self.has_error(key.replace(".", "__")))})

    # --- what the template shows ----------------------------------------
    def _bound(self, names: Iterable[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def applicant_fields(self) -> list[forms.BoundField]:
        return self._bound(self.APPLICANT_FIELDS)

    @property
    def subject_fields(self) -> list[forms.BoundField]:
        return self._bound(self.BIRTH_FIELDS if self.bundle_code == Bundle.BIRTH else self.DEATH_FIELDS)

    def always_service(self) -> str:
        return str(ALWAYS[Bundle(self.bundle_code)])

    # --- the API payload -------------------------------------------------
    def payload(self, *, partial: bool = False, preview: bool = False) -> dict[str, Any]:
        """The POST /api/v1/dossiers/ body for what was typed.

        `partial`: use whatever parsed so far and skip the rest, so a
        half-filled form still gets the engine's verdict on everything else.
        `preview` (live, while typing): a blank parent is "not typed yet".
        """
        if not partial and not self.is_valid():
            raise ValueError("payload() of an invalid form")
        if partial:
            self.is_valid()
        cleaned = self.cleaned_data
        names = self.BIRTH_FIELDS if self.bundle_code == Bundle.BIRTH else self.DEATH_FIELDS
        services = list(cleaned.get("services") or [])
        always = self.always_service()
        if always not in services:
            services.insert(0, always)
        data: dict[str, Any] = {
            "bundle": self.bundle_code,
            "services": services,
            "unit": self.unit_code,
            "channel": Channel.ONE_STOP,
            "applicant": {},
            "subject": {},
        }
        for name in (*self.APPLICANT_FIELDS, *names):
            value = cleaned.get(name)
            if isinstance(value, str):
                value = value.strip()
                if name.endswith(("personal_id", "social_insurance_number")):
                    value = value.replace(" ", "")
            if value in ("", None):
                continue  # not typed: let validation say whether it is needed
            if isinstance(value, date):
                value = value.isoformat()
            _put(data, name.split("__"), value)
        if self.bundle_code == Bundle.BIRTH:
            data["subject"].setdefault("special_case", None)
            # A parent left blank is a parent not identified (API: null),
            # which validation refuses with its rule (the special case of an unidentified parent).
            # While typing (preview) a blank parent is only "not typed yet".
            if not preview:
                for parent in ("mother", "father"):
                    data["subject"].setdefault(parent, None)
        return data


    @classmethod
    def initial_from_post(cls, data: Any) -> dict[str, Any]:
        """What was typed, as the initial values of an unbound form (the
        commune search step without JavaScript redraws the page with it)."""
        initial: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                initial[name] = data.getlist(name)
            elif isinstance(field, forms.BooleanField):
                initial[name] = name in data
            elif name in data:
                initial[name] = data.get(name)
        return initial


def commune_choices(search: str = "", *, unit_code: str = "", keep: str = "") -> list[tuple[str, str]]:
    """The communes the counter offers, by name: those whose name contains
    `search` (typed with or without diacritics), else every commune of the
    counter's province; `keep` (the one already chosen) stays listed. A
    commune of another province carries its province's name."""
    from agencies.models import AdminUnit
    from agencies.selectors import province_of, resolve_unit, search_units

    province = province_of(resolve_unit(unit_code)) if unit_code else None
    if search.strip():
        units = list(search_units(search, level=AdminUnit.Level.COMMUNE, limit=50))
        if not units:
            return [("", gettext("— Không có xã/phường nào có tên chứa “%(text)s” —") % {"text": search.strip()})]
    else:
        units = list(AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE,
                                              province=province).select_related("province").order_by("name")
                     ) if province is not None else []
    chosen = resolve_unit(keep) if keep and not search.strip() and keep not in {u.code for u in units} else None
    if chosen is not None:
        units.insert(0, chosen)

    def label(unit: AdminUnit) -> str:
        if unit.province is not None and (province is None or unit.province_id != province.pk):
            return f"{unit.name} ({unit.province.name})"
        return unit.name

    empty = [] if search.strip() else [("", gettext("— Chọn xã/phường —"))]
    return empty + [(u.code, label(u)) for u in units]


def _put(target: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


class SupplementRequestForm(LabelledForm):
    reason = forms.CharField(label=_("Nội dung cần bổ sung"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CounterSupplementForm(LabelledForm):
    """Papers a citizen brings to the counter for a leg awaiting a supplement."""

    note = forms.CharField(label=_("Nội dung bổ sung"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(LabelledForm):
    """The clerk hands the result over and records the citizen's rating, if
    the citizen gives one (dossiers.services.rating checks the values)."""

    rating = forms.ChoiceField(label=_("Mức độ hài lòng của công dân"), required=False,
                               choices=[("", _("— Công dân không đánh giá —")), *Satisfaction.choices])
    comment = forms.CharField(label=_("Góp ý của công dân"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leave_rules_to_the_engine(self, ["rating", "comment"])


class WithdrawForm(LabelledForm):
    reason = forms.CharField(label=_("Lý do rút hồ sơ"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(LabelledForm):
    reason_code = forms.ChoiceField(label=_("Căn cứ từ chối"), choices=())
    reason_text = forms.CharField(label=_("Lý do cụ thể"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, reasons: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason_code"]).choices = [("", _("— Chọn căn cứ —")), *reasons]
        self.labels = dict(reasons)
        name_errors(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reason_code") == "other" and not (cleaned.get("reason_text") or "").strip():
            self.add_error("reason_text", gettext("Chọn “Lý do khác” thì phải ghi rõ “Lý do cụ thể”."))
        return cleaned

    def reason(self) -> str:
        """The text stored on the leg and shown to the citizen."""
        label = str(self.labels.get(self.cleaned_data["reason_code"], ""))
        text = (self.cleaned_data.get("reason_text") or "").strip()
        if self.cleaned_data["reason_code"] == "other":
            return text
        return f"{label}. {text}" if text else label


class ResultForm(LabelledForm):
    """Result of one service (DOMAIN §6). Empty fields are left out so the
    portal generates the number or document itself."""

    error_prefix = "result."

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in ("", None):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else value
        return out


class BirthRegistrationResultForm(ResultForm):
    registration_number = text_field(_("Số đăng ký khai sinh"), max_length=40)
    book = text_field(_("Quyển số"), max_length=40)
    personal_id = pid_field(_("Số định danh cá nhân của trẻ"))
    registered_on = date_field(_("Ngày đăng ký"))
    note = text_field(_("Ghi chú"), max_length=255)


class ResidenceRegistrationResultForm(ResultForm):
    confirmation_number = text_field(_("Số văn bản xác nhận"), max_length=40)
    address = text_field(_("Địa chỉ thường trú đã đăng ký"), max_length=255)
    household = text_field(_("Hộ gia đình (họ tên chủ hộ)"), max_length=255)
    registered_on = date_field(_("Ngày đăng ký"))
    note = text_field(_("Ghi chú"), max_length=255)


class HealthInsuranceCardResultForm(ResultForm):
    card_number = text_field(_("Mã thẻ BHYT"), max_length=20)
    social_insurance_number = text_field(_("Mã số BHXH của trẻ"), max_length=12, inputmode="numeric")
    valid_from = date_field(_("Giá trị sử dụng từ ngày"))
    valid_until = date_field(_("Giá trị sử dụng đến ngày"))
    note = text_field(_("Ghi chú"), max_length=255)


class DeathRegistrationResultForm(ResultForm):
    extract_number = text_field(_("Số trích lục khai tử"), max_length=40)
    book = text_field(_("Quyển số"), max_length=40)
    registered_on = date_field(_("Ngày đăng ký"))
    note = text_field(_("Ghi chú"), max_length=255)


class ResidenceRemovalResultForm(ResultForm):
    confirmation_number = text_field(_("Số văn bản xác nhận"), max_length=40)
    removed_on = date_field(_("Ngày xóa đăng ký thường trú"))
    note = text_field(_("Ghi chú"), max_length=255)


class FuneralResultForm(ResultForm):
    decision_number = text_field(_("Số quyết định"), max_length=40)
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), required=False, min_value=0)
    decided_on = date_field(_("Ngày quyết định"))
    note = text_field(_("Ghi chú"), max_length=255)


RESULT_FORMS: dict[str, type[ResultForm]] = {
    Service.BIRTH_REGISTRATION: BirthRegistrationResultForm,
    Service.RESIDENCE_REGISTRATION: ResidenceRegistrationResultForm,
    Service.HEALTH_INSURANCE_CARD: HealthInsuranceCardResultForm,
    Service.DEATH_REGISTRATION: DeathRegistrationResultForm,
    Service.RESIDENCE_REMOVAL: ResidenceRemovalResultForm,
    Service.FUNERAL_ALLOWANCE: FuneralResultForm,
    Service.FUNERAL_SUPPORT: FuneralResultForm,
}


class DossierFilterForm(forms.Form):
    """GET filters of the dossier list; an invalid value is simply ignored."""

    q = forms.CharField(label=_("Tìm theo mã, số định danh, họ tên"), required=False, max_length=100)
    # Province-level staff narrow the list to one commune.
    unit = forms.CharField(label=_("Mã xã/phường"), required=False, max_length=8,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=())
    bundle = forms.ChoiceField(label=_("Nhóm thủ tục"), required=False,
                               choices=[("", _("Tất cả")), *Bundle.choices])
    channel = forms.ChoiceField(label=_("Kênh nộp"), required=False, choices=())
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)
    date_from = date_field(_("Tiếp nhận từ ngày"))
    date_to = date_field(_("đến ngày"))
    date_from.validators.append(bounded(_("Tiếp nhận từ ngày")))
    date_to.validators.append(bounded(_("đến ngày")))
    ordering = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=[
        ("due_at", _("Hạn trả sớm nhất trước")), ("-due_at", _("Hạn trả muộn nhất trước")),
        ("-submitted_at", _("Mới tiếp nhận trước")), ("submitted_at", _("Tiếp nhận sớm nhất trước"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from dossiers.models import Channel, DossierStatus

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Tất cả")), *DossierStatus.choices]
        cast(forms.ChoiceField, self.fields["channel"]).choices = [("", _("Tất cả")), *Channel.choices]

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        c = getattr(self, "cleaned_data", {})
        return {
            "search": c.get("q") or None,
            "unit": (c.get("unit") or "").strip() or None,
            "status": c.get("status") or None,
            "bundle": c.get("bundle") or None,
            "channel": c.get("channel") or None,
            "overdue": True if c.get("overdue") else None,
            "date_from": c.get("date_from"),
            "date_to": c.get("date_to"),
            "ordering": c.get("ordering") or "due_at",
        }
