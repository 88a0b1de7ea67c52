"""Citizens' accounts and drafts: one-time codes that prove a phone or a
mailbox, and unfinished online applications. The tables keep the names they
had when these models lived in `agencies`."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from lienthong import files


class OneTimeCode(models.Model):
    """A short code sent by SMS or email to prove the citizen holds that phone
    or mailbox (sign-up, password reset). Only a hash is stored, so a leaked
    table does not let anyone finish someone else's sign-up."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Xác nhận đăng ký")
        PASSWORD_RESET = "password_reset", _("Đặt lại mật khẩu")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes",
                             verbose_name=_("người dùng"))
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    sent_to = models.CharField(_("gửi tới"), max_length=255)
    attempts = models.PositiveSmallIntegerField(_("số lần nhập"), default=0)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agencies_onetimecode"
        verbose_name = _("mã xác nhận một lần")
        verbose_name_plural = _("mã xác nhận một lần")
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]


class SubmissionDraft(models.Model):
    """A citizen's unfinished online application, saved at each wizard step
    on the server so it can be resumed from another device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="submission_drafts",
                             verbose_name=_("người dùng"))
    bundle = models.CharField(_("nhóm thủ tục"), max_length=8, blank=True)
    step = models.CharField(_("bước"), max_length=20, default="bundle")
    # The API-shaped payload (docs/api.md, POST /api/v1/dossiers/) as filled so far.
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    submitted_code = models.CharField(_("mã hồ sơ đã nộp"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "agencies_submissiondraft"
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]


def draft_file_path(instance: SubmissionDraftFile, filename: str) -> str:
    """A random name with the extension of the detected type (see
    lienthong.files); the uploader's name is kept in `original_name` only."""
    return files.random_name(f"drafts/{instance.draft_id}", instance.content_type)


class SubmissionDraftFile(models.Model):
    """An attachment uploaded to a draft (a photo of the medical birth
    certificate, ...); handed to the submission when the citizen confirms."""

    draft = models.ForeignKey(SubmissionDraft, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("loại giấy tờ"), max_length=40, blank=True)
    file = models.FileField(_("tệp"), upload_to=draft_file_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agencies_submissiondraftfile"
        verbose_name = _("tệp của hồ sơ nháp")
        verbose_name_plural = _("tệp của hồ sơ nháp")
        ordering = ["uploaded_at", "id"]
