"""Public API of the reports app (docs/api.md: Counts from outside, Reports).
Thin views: check access, validate, call a service or selector."""
from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import access
from agencies.models import AdminUnit
from lienthong.errors import DomainError
from reports import ranges, selectors, services
from reports.models import OutsideCount


class OutsideCountApi(APIView):
    class InputSerializer(serializers.Serializer):
        unit = serializers.CharField()
        date = serializers.DateField()
        procedure = serializers.ChoiceField(choices=OutsideCount.Procedure.choices)
        count = serializers.IntegerField(min_value=0)

    class OutputSerializer(serializers.Serializer):
        unit = serializers.CharField(source="unit.code")
        date = serializers.DateField()
        procedure = serializers.CharField()
        count = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, operation_id="outside_counts_create")
    def post(self, request: access.SignedInApiRequest) -> Response:
        if not access.can_report_outside_counts(request.user):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        payload = request.data
        if hasattr(payload, "dict"):  # form-encoded: one value per key
            payload = payload.dict()
        row = services.outside_count_save(data=payload if isinstance(payload, dict) else {}, user=request.user)
        return Response(self.OutputSerializer(row).data, status=201)


RATE_ROW = {k: serializers.IntegerField() for k in ("birth_total", "birth_linked", "death_total", "death_linked")}


class AdoptionApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("province", str), OpenApiParameter("from", date),
                    OpenApiParameter("to", date), OpenApiParameter("group_by", str, enum=["district", "commune"]),
                    OpenApiParameter("map", str, enum=["current", "legacy"],
                                     description="Bản đồ của mã tỉnh; mặc định theo ngày bắt đầu")],
        responses=inline_serializer("AdoptionReport", {
            "rows": inline_serializer("AdoptionRow", {
                "unit": serializers.CharField(), "name": serializers.CharField(), **RATE_ROW,
                "birth_rate": serializers.FloatField(allow_null=True),
                "death_rate": serializers.FloatField(allow_null=True)}, many=True),
            "total": inline_serializer("AdoptionTotal", {
                **RATE_ROW, "birth_rate": serializers.FloatField(allow_null=True),
                "death_rate": serializers.FloatField(allow_null=True)})}),
        operation_id="reports_adoption")
    def get(self, request: access.SignedInApiRequest) -> Response:
        q = adoption_query(request.query_params, user=request.user)
        return Response(selectors.adoption_report(q))


def adoption_query(params, *, user, formats=ranges.ISO, labels=None) -> selectors.AdoptionQuery:
    """Shared by the API (ISO dates) and the page (dd/mm/yyyy too, its
    `labels` in the messages): parse, bound and scope the parameters."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    try:
        first, last = ranges.report_range(params, today.replace(day=1), today, formats=formats, labels=labels)
    except DomainError as exc:
        errors.update(exc.errors)
    group_by = params.get("group_by") or selectors.GROUP_DISTRICT
    if group_by not in (selectors.GROUP_DISTRICT, selectors.GROUP_COMMUNE):
        errors["group_by"] = [_("group_by phải là district hoặc commune.")]
    if errors:
        raise DomainError(errors)
    map_ = params.get("map")
    if map_ and map_ not in AdminUnit.Map.values:
        raise DomainError({"map": [_("map phải là current hoặc legacy.")]})
    province = selectors.province_resolve(params.get("province"), user=user, at=first, map_=map_)
    return selectors.AdoptionQuery(province=province, first=first, last=last, group_by=group_by)


class DailyReportApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("date", date), OpenApiParameter("province", str)],
                   responses=inline_serializer("DailyReport", {
                       "province": serializers.CharField(), "province_name": serializers.CharField(),
                       "date": serializers.DateField(), "cumulative_from": serializers.DateField(),
                       "services": serializers.ListField(child=serializers.DictField()),
                       "units": serializers.ListField(child=serializers.DictField()),
                       "total": serializers.DictField(), "cumulative": serializers.DictField(),
                       "difficulties": serializers.ListField(child=serializers.DictField()),
                       "snapshot": serializers.BooleanField()}),
                   operation_id="reports_daily")
    def get(self, request: access.SignedInApiRequest) -> Response:
        day = ranges.parse_day(request.query_params, "date", timezone.localdate() - timedelta(days=1),
                               formats=ranges.ISO)
        if day >= timezone.localdate():
            raise DomainError({"date": [_("Báo cáo ngày chỉ lập cho ngày đã qua.")]})
        province = selectors.current_province(
            selectors.province_resolve(request.query_params.get("province"), user=request.user))
        # the snapshot on default (it may have been built a moment ago), the
        # on-demand figures on the reports' database
        snap = selectors.daily_snapshot(province, day)
        data = snap if snap is not None else selectors.daily_report_data(province, day)
        return Response({**data, "snapshot": snap is not None})
