"""Reporting data: counts reported from outside the linked service, difficulty
reports (vướng mắc), and the unchangeable daily-report snapshots."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import AdminUnit
from lienthong import files


class OutsideCount(models.Model):
    class Procedure(models.TextChoices):
        RESIDENCE_REGISTRATION = "residence_registration", _("Đăng ký thường trú lần đầu cho trẻ em")
        RESIDENCE_REMOVAL = "residence_removal", _("Xóa đăng ký thường trú do chết")

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="outside_counts",
                             verbose_name=_("đơn vị"))
    date = models.DateField(_("ngày"))
    procedure = models.CharField(_("thủ tục"), max_length=32, choices=Procedure.choices)
    count = models.PositiveIntegerField(_("số lượng"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu ngoài liên thông")
        verbose_name_plural = _("số liệu ngoài liên thông")
        constraints = [models.UniqueConstraint(fields=["unit", "date", "procedure"], name="outside_count_once")]


class DifficultyReport(models.Model):
    """Vướng mắc: a problem a unit reports; open ones go into the daily report."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="difficulties",
                             verbose_name=_("đơn vị"))
    service = models.CharField(_("thủ tục"), max_length=32, blank=True)
    agency = models.CharField(_("cơ quan"), max_length=20, blank=True)
    description = models.TextField(_("nội dung vướng mắc"))
    since = models.DateField(_("phát sinh từ ngày"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người báo cáo"))
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("thời điểm đóng"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("người đóng"))
    resolution = models.TextField(_("kết quả xử lý"), blank=True)

    class Meta:
        verbose_name = _("vướng mắc")
        verbose_name_plural = _("vướng mắc")
        ordering = ["-created_at"]


def report_file_path(instance: DailyReport, filename: str) -> str:
    """A random name (not the guessable province and date), the extension the
    portal gave the file it wrote."""
    return files.random_name_keeping_extension("reports/daily", filename)


class DailyReport(models.Model):
    """An unchangeable snapshot of one province's report for one day."""

    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="daily_reports",
                                 verbose_name=_("tỉnh/thành phố"))
    date = models.DateField(_("ngày báo cáo"))
    generated_at = models.DateTimeField(_("thời điểm lập"))
    data = models.JSONField()
    pdf = models.FileField(upload_to=report_file_path, blank=True)
    xlsx = models.FileField(upload_to=report_file_path, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo ngày")
        verbose_name_plural = _("báo cáo ngày")
        constraints = [models.UniqueConstraint(fields=["province", "date"], name="daily_report_once")]
        ordering = ["-date"]


class ReportRecipient(models.Model):
    province = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="report_recipients",
                                 verbose_name=_("tỉnh/thành phố"))
    email = models.EmailField(_("thư điện tử"))
    name = models.CharField(_("họ tên / đơn vị"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nơi nhận báo cáo")
        verbose_name_plural = _("nơi nhận báo cáo")


class ReportSettings(models.Model):
    """Per-province settings of the daily report (data, not code): the date
    the cumulative figures count from. The time of day the report is built is
    the `reports-daily` periodic task, editable in the admin (django-celery-beat)."""

    province = models.OneToOneField(AdminUnit, on_delete=models.CASCADE, related_name="report_settings",
                                    verbose_name=_("tỉnh/thành phố"))
    cumulative_from = models.DateField(_("lũy kế từ ngày"))

    class Meta:
        verbose_name = _("cấu hình báo cáo ngày")
        verbose_name_plural = _("cấu hình báo cáo ngày")


class UnitMap(models.Model):
    """Read-only view (migration 0002) that rolls any administrative unit up
    to the units the reports group by, on both maps.

    For a current commune the legacy columns come from one representative
    predecessor: the legacy commune that kept the same code if any, else the
    one with the smallest code (a ward formed from several legacy communes of
    different districts is reported under that one district)."""

    unit = models.OneToOneField(AdminUnit, primary_key=True, on_delete=models.DO_NOTHING, related_name="+")
    legacy_commune = models.ForeignKey(AdminUnit, null=True, on_delete=models.DO_NOTHING, related_name="+")
    legacy_district = models.ForeignKey(AdminUnit, null=True, on_delete=models.DO_NOTHING, related_name="+")
    legacy_province = models.ForeignKey(AdminUnit, null=True, on_delete=models.DO_NOTHING, related_name="+")
    current_commune = models.ForeignKey(AdminUnit, null=True, on_delete=models.DO_NOTHING, related_name="+")
    current_province = models.ForeignKey(AdminUnit, null=True, on_delete=models.DO_NOTHING, related_name="+")

    class Meta:
        managed = False
        db_table = "reports_unitmap"
