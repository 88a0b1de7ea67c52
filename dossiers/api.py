"""REST API v1 for dossiers, legs and supplements (docs/api.md).

One thin view per operation: read the request, call a service or a
selector, present. Refusals are DomainError/Conflict, mapped to 400/409 by
`lienthong.api.exception_handler`; out-of-scope ids are 404.
"""
from __future__ import annotations

import json
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import access
from agencies.access import can_act_on_dossier
from dossiers import selectors, services
from dossiers.models import Bundle, Dossier, DossierStatus, Leg, LegStatus, Service
from dossiers.serializers import (
    CompleteIn,
    DossierListQuery,
    DossierOut,
    DossierPageOut,
    DossierSubmitIn,
    LegOut,
    LegPageOut,
    LegQueueQuery,
    QueueLegOut,
    ReasonIn,
    SupplementIn,
)
from lienthong.errors import DomainError
from lienthong.parsers import JSONParser

PARSERS = [JSONParser, MultiPartParser, FormParser]


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _data(request: Request) -> tuple[Any, list]:
    """The JSON body, or the `payload` field of a multipart form (with its
    `attachments` files). A body no parser could read is a ParseError, the
    contract's 400 (lienthong.api.exception_handler)."""
    try:
        data = request.data
    except ValueError:
        raise ParseError from None
    files = request.FILES.getlist("attachments") if request.FILES else []
    if hasattr(data, "getlist"):  # multipart / form: the dossier travels as JSON in `payload`
        raw = data.get("payload")
        if raw is not None:
            try:
                data = json.loads(raw)
            except (TypeError, ValueError, RecursionError):
                raise DomainError({"payload": [_("Trường payload phải là JSON hợp lệ.")]}) from None
        else:
            data = {key: data.get(key) for key in data if key != "attachments"}
    return data, files


def _text(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


def _dossier_out(request: access.SignedInApiRequest, dossier: Dossier, *, full: bool | None = None) -> dict:
    if full is None:
        full = can_act_on_dossier(request.user, dossier)
    return DossierOut(dossier, context={"full_data": full}).data


def _leg_out(leg: Leg) -> dict:
    return LegOut(Leg.objects.select_related("depends_on").get(pk=leg.pk), context={"full_data": True}).data


class DossierListCreateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        operation_id="dossiers_list",
        parameters=[
            OpenApiParameter("status", str, enum=DossierStatus.values, description="Trạng thái (có thể nhiều, cách "
                                                                                  "nhau bởi dấu phẩy)."),
            OpenApiParameter("bundle", str, enum=Bundle.values),
            OpenApiParameter("unit", str, description="Mã đơn vị: xã/phường hoặc tỉnh."),
            OpenApiParameter("search", str, description="Mã hồ sơ, số định danh, họ tên (có hoặc không dấu)."),
            OpenApiParameter("overdue", bool), OpenApiParameter("channel", str),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("ordering", str), OpenApiParameter("page", int), OpenApiParameter("page_size", int),
        ],
        responses=DossierPageOut,
    )
    def get(self, request: access.SignedInApiRequest) -> Response:
        params = request.query_params
        _query_check(DossierListQuery, params)
        overdue = params.get("overdue")
        qs = selectors.dossier_list(
            user=request.user, status=params.get("status"), bundle=params.get("bundle"), unit=params.get("unit"),
            search=params.get("search"), channel=params.get("channel"),
            overdue=None if not overdue else overdue.lower() in ("1", "true", "yes"),
            date_from=parse_date(params.get("date_from") or "") if _is_date(params.get("date_from")) else None,
            date_to=parse_date(params.get("date_to") or "") if _is_date(params.get("date_to")) else None,
            ordering=params.get("ordering"),
        ).prefetch_related("legs")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        # Lists never show personal IDs whole (docs/domain.md §2).
        return paginator.get_paginated_response(DossierOut(page, many=True, context={"full_data": False}).data)

    @extend_schema(operation_id="dossiers_create", request=DossierSubmitIn, responses={201: DossierOut})
    def post(self, request: access.SignedInApiRequest) -> Response:
        if not access.can_submit(request.user):
            raise PermissionDenied(_("Chỉ công dân và cán bộ một cửa được nộp hồ sơ."))
        data, files = _data(request)
        dossier = services.dossier_submit(data=data, user=request.user, files=files)
        return Response(_dossier_out(request, dossier, full=True), status=201)


def _query_check(serializer_class: type, params) -> None:
    """A 400 naming the query parameter that is wrong, before any query runs."""
    query = serializer_class(data={key: params.get(key) for key in params})
    if not query.is_valid():
        raise DomainError(query.errors)


def _is_date(value: str | None) -> bool:
    try:
        return bool(value and parse_date(value))
    except ValueError:
        return False


class DossierDetailApi(APIView):
    @extend_schema(operation_id="dossiers_retrieve", responses=DossierOut)
    def get(self, request: access.SignedInApiRequest, code: str) -> Response:
        dossier = selectors.dossier_for_display(user=request.user, code=code)
        services.dossier_view_record(user=request.user, dossier=dossier, full_data=dossier.full_data)
        return Response(_dossier_out(request, dossier, full=dossier.full_data))


class DossierSupplementApi(APIView):
    parser_classes = PARSERS

    @extend_schema(operation_id="dossiers_supplement", request={"multipart/form-data": SupplementIn,
                                                                "application/json": SupplementIn},
                   responses=DossierOut)
    def post(self, request: access.SignedInApiRequest, code: str) -> Response:
        data, files = _data(request)
        dossier = services.dossier_supplement(code=code, user=request.user, note=_text(data, "note") or "",
                                              files=files)
        return Response(_dossier_out(request, dossier))


class DossierWithdrawApi(APIView):
    @extend_schema(operation_id="dossiers_withdraw", request=ReasonIn, responses=DossierOut)
    def post(self, request: access.SignedInApiRequest, code: str) -> Response:
        data, _files = _data(request)
        dossier = services.dossier_withdraw(code=code, user=request.user, reason=_text(data, "reason"))
        return Response(_dossier_out(request, dossier))


class LegQueueApi(APIView):
    @extend_schema(
        operation_id="legs_list",
        parameters=[OpenApiParameter("status", str, enum=LegStatus.values),
                    OpenApiParameter("service", str, enum=Service.values),
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=LegPageOut,
    )
    def get(self, request: access.SignedInApiRequest) -> Response:
        _query_check(LegQueueQuery, request.query_params)
        qs = selectors.leg_queue(user=request.user, status=request.query_params.get("status"),
                                 service=request.query_params.get("service")).select_related("depends_on")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(QueueLegOut(page, many=True, context={"full_data": True}).data)


class LegAcceptApi(APIView):
    @extend_schema(operation_id="legs_accept", request=None, responses=LegOut)
    def post(self, request: access.SignedInApiRequest, leg_id: int) -> Response:
        return Response(_leg_out(services.leg_accept(leg_id=leg_id, user=request.user)))


class LegRequestSupplementApi(APIView):
    @extend_schema(operation_id="legs_request_supplement", request=ReasonIn, responses=LegOut)
    def post(self, request: access.SignedInApiRequest, leg_id: int) -> Response:
        data, _files = _data(request)
        leg = services.leg_request_supplement(leg_id=leg_id, user=request.user, reason=_text(data, "reason"))
        return Response(_leg_out(leg))


class LegCompleteApi(APIView):
    @extend_schema(operation_id="legs_complete", request=CompleteIn, responses=LegOut)
    def post(self, request: access.SignedInApiRequest, leg_id: int) -> Response:
        data, _files = _data(request)
        result = _text(data, "result")
        leg = services.leg_complete(leg_id=leg_id, user=request.user, result=result)
        return Response(_leg_out(leg))


class LegRejectApi(APIView):
    @extend_schema(operation_id="legs_reject", request=ReasonIn, responses=LegOut)
    def post(self, request: access.SignedInApiRequest, leg_id: int) -> Response:
        data, _files = _data(request)
        leg = services.leg_reject(leg_id=leg_id, user=request.user, reason=_text(data, "reason"))
        return Response(_leg_out(leg))
