from __future__ import annotations

from django.contrib import admin

from reports.models import DailyReport, DifficultyReport, OutsideCount, ReportRecipient, ReportSettings


@admin.register(OutsideCount)
class OutsideCountAdmin(admin.ModelAdmin):
    list_display = ("date", "unit", "procedure", "count", "reported_by")
    list_filter = ("procedure",)
    date_hierarchy = "date"
    raw_id_fields = ("unit", "reported_by")


@admin.register(DifficultyReport)
class DifficultyReportAdmin(admin.ModelAdmin):
    list_display = ("since", "unit", "service", "agency", "closed_at")
    raw_id_fields = ("unit", "reported_by", "closed_by")


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    """Snapshots are unchangeable: the admin only lists them."""

    list_display = ("date", "province", "generated_at", "sent_at")
    list_filter = ("province",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ("province", "email", "name")
    raw_id_fields = ("province",)


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ("province", "cumulative_from")
    raw_id_fields = ("province",)
