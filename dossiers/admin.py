"""Django admin for dossiers: read-mostly.

State changes go through the services (transition log, notifications,
fan-out), never through admin forms, so dossiers, legs and the log are shown
read-only. Rules are data an admin may edit (a new `valid_from` for a new law).
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from dossiers.models import (
    Attachment,
    Document,
    Dossier,
    DossierView,
    Leg,
    Notification,
    NumberSequence,
    PersonalDataLog,
    Rating,
    Rule,
    Transition,
)
from lienthong.errors import DomainError


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LegInline(ReadOnlyMixin, admin.TabularInline):
    model = Leg
    fk_name = "dossier"
    extra = 0
    fields = ("service", "agency", "status", "automatic", "deadline_days", "started_at", "due_at", "paused_at",
              "supplement_due_at", "overdue", "finished_at", "assigned_to", "reason")
    readonly_fields = fields
    show_change_link = True


class TransitionInline(ReadOnlyMixin, admin.TabularInline):
    model = Transition
    extra = 0
    fields = ("at", "leg", "action", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "id")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "bundle", "status", "unit", "channel", "subject_name", "submitted_at", "due_at",
                    "closed_at", "is_late_registration")
    list_filter = ("status", "bundle", "channel", "is_late_registration", "scope_province")
    search_fields = ("code", "search_text", "subject_personal_id")
    date_hierarchy = "submitted_at"
    list_select_related = ("unit",)
    readonly_fields = [f.name for f in Dossier._meta.fields]
    inlines = [LegInline, TransitionInline]


@admin.register(Leg)
class LegAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "dossier", "service", "agency", "status", "due_at", "overdue", "automatic")
    list_filter = ("status", "service", "agency", "overdue", "automatic")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier",)
    readonly_fields = [f.name for f in Leg._meta.fields]


@admin.register(Transition)
class TransitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "dossier", "leg", "action", "from_state", "to_state", "actor")
    list_filter = ("action", "to_state")
    search_fields = ("dossier__code", "reason")
    list_select_related = ("dossier", "leg", "actor")
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "dossier", "channel", "recipient", "subject", "sent_at")
    list_filter = ("channel",)
    search_fields = ("dossier__code", "recipient")


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "dossier", "level", "channel", "recorded_by")
    list_filter = ("level", "channel")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "recorded_by")
    date_hierarchy = "at"


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("uploaded_at", "dossier", "kind", "original_name", "content_type", "size")
    search_fields = ("dossier__code", "original_name", "sha256")


@admin.register(Document)
class DocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "dossier", "kind", "issued_at", "sha256")
    list_filter = ("kind",)
    search_fields = ("dossier__code", "sha256")
    exclude = ("token",)


@admin.register(DossierView)
class DossierViewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "dossier", "user", "full_data")
    search_fields = ("dossier__code", "user__username")
    date_hierarchy = "at"


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("key", "last")
    search_fields = ("key",)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("key", "valid_from", "value", "citation", "unconfirmed")
    list_filter = ("unconfirmed",)
    search_fields = ("key", "citation")
    ordering = ("key", "valid_from")

    def save_model(self, request, obj, form, change) -> None:
        from dossiers import rules

        super().save_model(request, obj, form, change)
        # This process sees the change at once; workers within rules.CACHE_SECONDS.
        rules.clear_cache()

    def delete_model(self, request, obj) -> None:
        from dossiers import rules

        super().delete_model(request, obj)
        rules.clear_cache()


class PersonalDataExportForm(forms.Form):
    personal_id = forms.CharField(label=_("Số định danh cá nhân"), max_length=20,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


@admin.register(PersonalDataLog)
class PersonalDataLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The log of exports and purges, and the export itself (a data-subject
    request): a form for the personal ID, answered with a JSON file."""

    list_display = ("at", "action", "user", "subject_masked", "dossier_count")
    list_filter = ("action",)
    search_fields = ("subject_masked", "user__username")
    date_hierarchy = "at"
    change_list_template = "admin/dossiers/personaldatalog/change_list.html"

    def get_urls(self):
        return [path("xuat/", self.admin_site.admin_view(self.export_view), name="dossiers_personal_data_export"),
                *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        from agencies import access
        from dossiers.services.privacy import personal_data_export

        if not access.can_export_personal_data(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        form = PersonalDataExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = personal_data_export(personal_id=form.cleaned_data["personal_id"],
                                            user=request.user)  # type: ignore[arg-type]
            except DomainError as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error("personal_id" if field == "personal_id" else None, message)
            else:
                response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1),
                                        content_type="application/json; charset=utf-8")
                name = f"du-lieu-ca-nhan-{access.mask_personal_id(data['personal_id']).replace('*', 'x')}.json"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Xuất dữ liệu cá nhân theo số định danh")}
        return TemplateResponse(request, "admin/dossiers/personaldatalog/export.html", context,
                                status=400 if form.errors else 200)
