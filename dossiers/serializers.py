"""Small input/output serializers of the REST API v1 (docs/api.md).

The dossier POST is described by `dossiers.validation.SubmissionIn`, the
serializer that validates it (through the services), so the schema, the API
and the HTML forms all say the same thing. Output serializers only present.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.access import mask_personal_id
from agencies.models import OFFICER_AGENCIES
from dossiers.models import Bundle, Channel, Dossier, DossierStatus, Leg, LegStatus, Service
from dossiers.validation import VI, SubmissionIn
from lienthong.dates import bounded

# --- input -----------------------------------------------------------------
# The dossier POST is described by the serializers that validate it (one
# declaration: the schema cannot drift from what is enforced).
DossierSubmitIn = SubmissionIn


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(help_text="Lý do (hoặc mã lý do trong danh mục lý do từ chối).")


class CompleteIn(serializers.Serializer):
    result = serializers.JSONField(required=False, help_text="Các trường kết quả theo docs/domain.md §6; "
                                                             "cổng tự sinh số và văn bản còn thiếu.")


class SupplementIn(serializers.Serializer):
    note = serializers.CharField(required=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


# --- output ----------------------------------------------------------------
class LegOut(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.ChoiceField(choices=Service.choices)
    agency = serializers.ChoiceField(choices=[(a, a) for a in OFFICER_AGENCIES])
    status = serializers.ChoiceField(choices=LegStatus.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()
    depends_on = serializers.SerializerMethodField()
    automatic = serializers.BooleanField()
    overdue = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    supplement_due_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()

    # null until the leg has a result / when it depends on no other leg.
    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_result(self, leg: Leg) -> dict[str, Any] | None:
        if leg.result is None:
            return None
        result = dict(leg.result)
        if not self.context.get("full_data", True) and result.get("personal_id"):
            result["personal_id"] = mask_personal_id(result["personal_id"])
        return result

    @extend_schema_field(serializers.ChoiceField(choices=Service.choices, allow_null=True))
    def get_depends_on(self, leg: Leg) -> str | None:
        return leg.depends_on.service if leg.depends_on else None


class QueueLegOut(LegOut):
    dossier = serializers.CharField(source="dossier.code")
    bundle = serializers.CharField(source="dossier.bundle")
    unit = serializers.CharField(source="dossier.unit.code")
    subject_name = serializers.CharField(source="dossier.subject_name")


class DossierOut(serializers.Serializer):
    code = serializers.CharField()
    bundle = serializers.ChoiceField(choices=Bundle.choices)
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    unit = serializers.CharField(source="unit.code")
    channel = serializers.ChoiceField(choices=Channel.choices)
    services = serializers.ListField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    is_late_registration = serializers.BooleanField()
    needs_verification = serializers.BooleanField()
    notices = serializers.ListField(child=serializers.CharField())
    subject_name = serializers.CharField()
    subject_personal_id = serializers.SerializerMethodField()
    legs = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_subject_personal_id(self, dossier: Dossier) -> str:
        if self.context.get("full_data", False):
            return dossier.subject_personal_id
        return mask_personal_id(dossier.subject_personal_id)

    @extend_schema_field(LegOut(many=True))
    def get_legs(self, dossier: Dossier) -> list[dict[str, Any]]:
        legs = getattr(dossier, "leg_list", None)
        if legs is None:
            legs = sorted(dossier.legs.all(), key=lambda leg: leg.pk)
        by_id = {leg.pk: leg for leg in legs}
        for leg in legs:
            # Spare a query per leg for `depends_on`.
            if leg.depends_on_id in by_id:
                leg.depends_on = by_id[leg.depends_on_id]
        # many=True makes a ListSerializer, whose data is a list; the stubs type it as LegOut's dict.
        return LegOut(legs, many=True, context=self.context).data  # type: ignore[return-value]


class PageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class DossierPageOut(PageOut):
    results = DossierOut(many=True)


class LegPageOut(PageOut):
    results = QueueLegOut(many=True)


# --- Query parameters of the list endpoints -------------------------------------------
# Checked before any query is built: a wrong value is a 400 naming the
# parameter, and DRF's CharField refuses NUL characters (which PostgreSQL
# cannot compare) instead of letting them reach the database.

def _choices_list(value: str, allowed: list[str]) -> str:
    wrong = [item for item in value.split(",") if item and item not in allowed]
    if wrong:
        raise serializers.ValidationError(_("Giá trị không hợp lệ: {values}. Chọn trong: {allowed}.").format(
            values=", ".join(wrong), allowed=", ".join(allowed)))
    return value


def _param(field_class: type, **kwargs: Any) -> serializers.Field:
    """An optional query parameter, with the engine's Vietnamese messages."""
    return field_class(required=False, allow_blank=True, error_messages=VI, **kwargs)


class DossierListQuery(serializers.Serializer):
    status = _param(serializers.CharField, max_length=400)
    bundle = _param(serializers.ChoiceField, choices=Bundle.values)
    channel = _param(serializers.ChoiceField, choices=Channel.values)
    unit = _param(serializers.CharField, max_length=20)
    search = _param(serializers.CharField, max_length=200)
    ordering = _param(serializers.CharField, max_length=40)
    date_from = serializers.DateField(required=False, allow_null=True, error_messages=VI,
                                      validators=[bounded("date_from")])
    date_to = serializers.DateField(required=False, allow_null=True, error_messages=VI,
                                    validators=[bounded("date_to")])

    def validate_status(self, value: str) -> str:
        return _choices_list(value, DossierStatus.values)


class LegQueueQuery(serializers.Serializer):
    status = _param(serializers.CharField, max_length=400)
    service = _param(serializers.ChoiceField, choices=Service.values)

    def validate_status(self, value: str) -> str:
        return _choices_list(value, LegStatus.values)
