"""Dossiers, their legs, attachments, issued documents and the transition log.

State machines (docs/domain.md §5) are django-fsm transitions kept pure: they only
check the source state and set fields. `services.py` calls them, saves with
`update_fields`, writes a `Transition` row in the same database transaction
and queues side effects after commit.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from agencies.models import AdminUnit, AgencyKind
from dossiers.vocabulary import (
    FINAL_LEG_STATES,
    OPEN_DOSSIER_STATES,
    Bundle,
    Channel,
    DocumentKind,
    DossierStatus,
    LegStatus,
    Satisfaction,
    Service,
)
from lienthong import files, formatting

# The choices (Bundle, Service, statuses, document kinds...) are defined once in
# dossiers.vocabulary; `from dossiers.models import Service` keeps working.


class Dossier(ConcurrentTransitionMixin, models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=32, unique=True)
    bundle = models.CharField(_("nhóm thủ tục"), max_length=8, choices=Bundle.choices)
    services = models.JSONField(_("thủ tục"), default=list)
    # The commune as filed (current map, or legacy for historical imports) ...
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="dossiers",
                             verbose_name=_("đơn vị tiếp nhận"))
    # ... and its current-map commune and province, which decide who sees it.
    scope_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("xã/phường hiện hành"))
    scope_province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("tỉnh/thành phố hiện hành"))
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    status = FSMField(_("trạng thái"), max_length=24, choices=DossierStatus.choices,
                      default=DossierStatus.SUBMITTED, protected=True)

    applicant = models.JSONField(_("người nộp"), default=dict)
    subject = models.JSONField(_("người được đăng ký"), default=dict)
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=120)
    applicant_phone = models.CharField(_("điện thoại người nộp"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử người nộp"), blank=True)
    subject_name = models.CharField(_("họ tên người được đăng ký"), max_length=120)
    subject_personal_id = models.CharField(_("số định danh"), max_length=12, blank=True)
    # search_key() of code, names and personal IDs: diacritic-free search.
    search_text = models.TextField(editable=False, default="")

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="submitted_dossiers",
                                     verbose_name=_("người tạo"))
    submitted_at = models.DateTimeField(_("thời điểm tiếp nhận"), db_index=True)
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    is_late_registration = models.BooleanField(_("đăng ký quá hạn"), default=False)
    needs_verification = models.BooleanField(_("cần xác minh"), default=False)
    notices = models.JSONField(_("thông báo"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not columns: set for display by selectors.dossier_for_display (the
    # first three) and by the citizen's home page.
    full_data: bool
    leg_list: list[Leg]
    masked: dict[str, str]
    needs_answer: bool
    view_rows: list[DossierView]  # set by selectors.own_data

    class Meta:
        verbose_name = _("hồ sơ liên thông")
        verbose_name_plural = _("hồ sơ liên thông")
        ordering = ["-submitted_at"]
        indexes = [
            # Reports scan a province's dossiers by submission time; the
            # included columns let the adoption report run index-only
            # (docs/benchmarks.md: 687 → 256 ms for the largest province).
            models.Index(fields=["scope_province", "submitted_at"], name="dossier_report_cover",
                         include=["unit", "scope_unit", "channel", "status", "closed_at", "services"]),
            models.Index(fields=["scope_unit", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    # --- transitions (pure) ----------------------------------------------
    @transition(field=status, source=DossierStatus.SUBMITTED, target=DossierStatus.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=status, source=OPEN_DOSSIER_STATES, target=DossierStatus.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(field=status, source=OPEN_DOSSIER_STATES, target=DossierStatus.PARTIALLY_COMPLETED)
    def complete_partially(self) -> None:
        pass

    @transition(field=status, source=OPEN_DOSSIER_STATES, target=DossierStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=OPEN_DOSSIER_STATES, target=DossierStatus.WITHDRAWN)
    def withdraw(self) -> None:
        pass


class Leg(ConcurrentTransitionMixin, models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="legs",
                                verbose_name=_("hồ sơ"))
    # Copies of the dossier's scope (never changes after submission), so an
    # officer's queue is one index range instead of a join through every
    # dossier of the agency. Filled on save; indexed by the composites below.
    # NOT NULL (migration 0005): a leg written without its scope would
    # silently vanish from every queue, so the database refuses it.
    scope_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+",
                                   db_index=False, editable=False, verbose_name=_("xã/phường hiện hành"))
    scope_province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+",
                                       db_index=False, editable=False, verbose_name=_("tỉnh/thành phố hiện hành"))
    service = models.CharField(_("thủ tục"), max_length=32, choices=Service.choices)
    agency = models.CharField(_("cơ quan"), max_length=20, choices=AgencyKind.choices)
    status = FSMField(_("trạng thái"), max_length=24, choices=LegStatus.choices,
                      default=LegStatus.WAITING, protected=True)
    depends_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="dependants", verbose_name=_("thủ tục trước"))
    # True for the legs the system opens itself (automatic residence removal).
    automatic = models.BooleanField(_("tự động"), default=False)
    deadline_days = models.PositiveSmallIntegerField(_("thời hạn (ngày làm việc)"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu tính hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    supplement_due_at = models.DateTimeField(_("hạn bổ sung"), null=True, blank=True)
    overdue = models.BooleanField(_("quá hạn"), default=False)
    finished_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="legs",
                                    verbose_name=_("cán bộ xử lý"))
    updated_at = models.DateTimeField(auto_now=True)
    result_rows: list[tuple[str, str]]  # not a column: set for display by the staff dossier page

    class Meta:
        verbose_name = _("thủ tục của hồ sơ")
        verbose_name_plural = _("thủ tục của hồ sơ")
        ordering = ["dossier_id", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "service"], name="leg_dossier_service")]
        indexes = [
            # The work queue of a commune officer and of a provincial one
            # (agencies.access.leg_q): equality on scope and agency, then the
            # status tab, then due_at for the ORDER BY ... LIMIT of a page.
            models.Index(fields=["scope_unit", "agency", "status", "due_at"], name="leg_queue_unit"),
            models.Index(fields=["scope_province", "agency", "status", "due_at"], name="leg_queue_province"),
            # The queue without a status (every leg but the waiting ones) in
            # due order: without these the planner walks the global due_at
            # index and filters the whole country's legs for one commune's
            # (0.8–4 s under load at 1 M dossiers; docs/benchmarks.md).
            models.Index(fields=["scope_unit", "agency", "due_at"], name="leg_queue_unit_due"),
            models.Index(fields=["scope_province", "agency", "due_at"], name="leg_queue_province_due"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.service}"

    def copy_scope(self) -> None:
        """Take the dossier's scope; every way of creating a leg goes through here."""
        if self.scope_unit_id is None or self.scope_province_id is None:
            self.scope_unit_id = self.dossier.scope_unit_id
            self.scope_province_id = self.dossier.scope_province_id

    def save(self, *args, **kwargs) -> None:
        self.copy_scope()
        super().save(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_LEG_STATES

    # --- transitions (pure) ----------------------------------------------
    @transition(field=status, source=LegStatus.WAITING, target=LegStatus.PENDING)
    def open(self) -> None:
        pass

    @transition(field=status, source=LegStatus.WAITING, target=LegStatus.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=LegStatus.PENDING, target=LegStatus.IN_PROGRESS)
    def accept(self) -> None:
        pass

    @transition(field=status, source=LegStatus.IN_PROGRESS, target=LegStatus.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(field=status, source=[LegStatus.PENDING, LegStatus.IN_PROGRESS, LegStatus.AWAITING_SUPPLEMENT],
                target=LegStatus.REJECTED)
    def reject(self) -> None:
        # From awaiting_supplement only through the 7-working-day expiry (services).
        pass

    @transition(field=status, source=LegStatus.IN_PROGRESS, target=LegStatus.AWAITING_SUPPLEMENT)
    def request_supplement(self) -> None:
        pass

    @transition(field=status, source=LegStatus.AWAITING_SUPPLEMENT, target=LegStatus.IN_PROGRESS)
    def supplement(self) -> None:
        pass

    @transition(field=status, source=[LegStatus.WAITING, LegStatus.PENDING, LegStatus.IN_PROGRESS,
                                      LegStatus.AWAITING_SUPPLEMENT], target=LegStatus.CANCELLED)
    def withdraw(self) -> None:
        # The applicant withdrew the dossier before anything was completed.
        pass


class Transition(models.Model):
    """Append-only log of every state change of a dossier or a leg."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    leg = models.ForeignKey(Leg, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("người thực hiện"))
    action = models.CharField(_("hành động"), max_length=32)
    from_state = models.CharField(_("từ trạng thái"), max_length=24, blank=True)
    to_state = models.CharField(_("sang trạng thái"), max_length=24)
    reason = models.TextField(_("lý do"), blank=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    # Not columns: the states' labels, set for display by the staff dossier page.
    from_state_label: str
    to_state_label: str

    class Meta:
        verbose_name = _("nhật ký chuyển trạng thái")
        verbose_name_plural = _("nhật ký chuyển trạng thái")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state or '∅'} → {self.to_state}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name with the extension of the type detected from the content
    (dossiers.validation.attachment_clean); the uploader's name is kept in
    `original_name` only."""
    return files.random_name(f"attachments/{instance.dossier_id}", instance.content_type)


def document_path(instance: Document, filename: str) -> str:
    """Issued PDFs: a random name, not the guessable kind and dossier code."""
    return files.random_name(timezone.now().strftime("documents/%Y/%m"), "application/pdf")


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    leg = models.ForeignKey(Leg, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    kind = models.CharField(_("loại giấy tờ"), max_length=40, blank=True)
    file = models.FileField(_("tệp"), upload_to=attachment_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(_("ghi chú"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giấy tờ đính kèm")
        verbose_name_plural = _("giấy tờ đính kèm")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Document(models.Model):
    """A PDF the portal issued, with the hash the public verification page checks."""

    Kind = DocumentKind

    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    leg = models.ForeignKey(Leg, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    kind = models.CharField(_("loại văn bản"), max_length=24, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to=document_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # What the verification page may show: exactly what is printed.
    summary = models.JSONField(default=dict, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản điện tử")
        verbose_name_plural = _("văn bản điện tử")
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="document_dossier_kind")]


class Notification(models.Model):
    """One message to the applicant; unique per transition and channel, so a
    task delivered twice sends nothing twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notifications")
    transition = models.ForeignKey(Transition, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["transition", "channel"], name="notification_once")]


class NumberSequence(models.Model):
    """A named counter for numbers the portal issues (registration numbers per
    book, personal-ID serials, card numbers). Incremented under a row lock so
    two workers never hand out the same number."""

    key = models.CharField(max_length=80, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm số")
        verbose_name_plural = _("bộ đếm số")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class DossierView(models.Model):
    """Every detail view of a dossier (docs/domain.md §2: every detail view is logged)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("người xem"))
    full_data = models.BooleanField(_("xem đầy đủ số định danh"), default=False)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("lượt xem hồ sơ")
        verbose_name_plural = _("nhật ký xem hồ sơ")
        ordering = ["-at"]


class Rule(models.Model):
    """One effective-dated legal parameter (deadline, amount, eligibility
    limit), with its citation. Read only through `dossiers.rules`."""

    key = models.CharField(_("khóa"), max_length=80)
    valid_from = models.DateField(_("hiệu lực từ"))
    value = models.JSONField(_("giá trị"))
    citation = models.CharField(_("căn cứ pháp lý"), max_length=255)
    unconfirmed = models.BooleanField(_("chưa xác nhận"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy tắc pháp lý")
        verbose_name_plural = _("quy tắc pháp lý")
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="rule_key_from")]
        ordering = ["key", "valid_from"]

    def __str__(self) -> str:
        return f"{self.key} @ {formatting.day(self.valid_from)}"


class PersonalDataLog(models.Model):
    """What was done with personal data as a whole (docs/domain.md §9): a
    data-subject export (who asked for which person) and each retention purge.
    The person is never stored in clear: `subject_masked` is for a reader,
    `subject_hash` (an HMAC keyed with SECRET_KEY) answers "was this ID ever
    exported?" without keeping the number."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Xuất dữ liệu cá nhân")
        PURGE_ATTACHMENTS = "purge_attachments", _("Xóa giấy tờ đính kèm hết hạn lưu trữ")
        PURGE_PERSONAL = "purge_personal", _("Xóa thông tin cá nhân hết hạn lưu trữ")

    action = models.CharField(_("hành động"), max_length=24, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("người thực hiện"))
    subject_masked = models.CharField(_("số định danh (che)"), max_length=16, blank=True)
    subject_hash = models.CharField(max_length=64, blank=True, db_index=True)
    dossier_count = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("nhật ký xử lý dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký xử lý dữ liệu cá nhân")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subject_masked}".strip()


class Rating(models.Model):
    """The citizen's satisfaction with a dossier's handling, given once, after
    the result: online on their dossier page or at the counter when the clerk
    hands the result over (docs/domain.md: satisfaction rating)."""

    Level = Satisfaction

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating",
                                   verbose_name=_("hồ sơ"))
    level = models.CharField(_("mức độ hài lòng"), max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(_("góp ý"), blank=True)
    channel = models.CharField(_("nơi đánh giá"), max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người ghi nhận"))
    at = models.DateTimeField(_("thời điểm"), db_index=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"
