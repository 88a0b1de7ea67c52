from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from agencies import calendar
from agencies.models import AdminUnit, Agency, CalendarDay, ContactPoint, User


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "map", "province", "successor")
    list_filter = ("map", "level")
    search_fields = ("code", "name", "search_name")
    raw_id_fields = ("parent", "province", "successor")
    list_select_related = ("province", "successor")


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("name", "unit__code", "unit__name")
    raw_id_fields = ("unit",)
    inlines = [ContactPointInline]
    list_select_related = ("unit",)


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ("full_name", "position", "phone", "email", "agency")
    search_fields = ("full_name", "phone", "agency__name")
    raw_id_fields = ("agency",)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        calendar.clear_cache()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        calendar.clear_cache()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "agency", "unit", "is_active")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "full_name", "email", "phone")
    raw_id_fields = ("unit",)
    fieldsets = tuple(BaseUserAdmin.fieldsets or ()) + ((_("Vai trò và phạm vi"), {"fields": ("role", "unit", "agency", "full_name", "phone")}),)
