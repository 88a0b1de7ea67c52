"""Pages that belong to no bundle: the landing redirect, the health check and
the contact-point directory."""
from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies import access
from agencies.models import AdminUnit, Agency, Role
from agencies.selectors import province_of, unit_sort_key
from lienthong.paging import pager_query
from lienthong.text import search_key

# Where each role starts its day (URL names, resolved on each request).
ROLE_HOME: dict[str, str] = {
    Role.CITIZEN: "citizen:home",
    Role.ONE_STOP_CLERK: "staff:counter",
    Role.OFFICER: "staff:queue",
    Role.PROVINCIAL_VIEWER: "reports:dashboard",
    Role.ADMIN: "admin:index",
}


def landing(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    return redirect("home")


@login_required
def home(request: access.SignedInRequest) -> HttpResponse:
    name = ROLE_HOME.get(request.user.role)
    if request.user.is_superuser and request.user.role == Role.CITIZEN:
        name = "admin:index"
    try:
        return redirect(reverse(name)) if name else render(request, "home.html")
    except NoReverseMatch:
        return render(request, "home.html")


def _monitoring(request: HttpRequest) -> bool:
    """Monitoring may read the details: `Authorization: Bearer <HEALTHZ_TOKEN>`,
    or a direct request from the machine itself (not one relayed by a proxy
    there, which would make every visitor local)."""
    token = settings.HEALTHZ_TOKEN
    scheme, _sep, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
        return True
    return (request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")
            and "HTTP_X_FORWARDED_FOR" not in request.META)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200/503 on the database and Redis, fast, for the load balancer. Only
    monitoring (_monitoring) gets the details, the worker ping and, with
    ?queues=1, the queues: they cost seconds and name hosts and errors."""
    if not _monitoring(request):
        ok = _essentials_ok()
        return JsonResponse({"status": "ok" if ok else "error"}, status=200 if ok else 503)
    return _healthz_details(request)


def _essentials_ok() -> bool:
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        ok = False
    if ok and settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        except Exception:  # noqa: BLE001
            ok = False
    return ok


def _healthz_details(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    ok = True
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        ok = False
        checks["database"] = {"ok": False, "error": str(exc)[:200]}
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:  # noqa: BLE001
            ok = False
            checks["redis"] = {"ok": False, "error": str(exc)[:200]}
        try:
            from lienthong.celery import app

            # limit=1: answer as soon as one worker replies instead of waiting out the timeout.
            replies = app.control.inspect(timeout=1.0, limit=1).ping() or {} if checks["redis"]["ok"] else {}
            checks["worker"] = {"ok": bool(replies), "workers": sorted(replies)}
        except Exception as exc:  # noqa: BLE001
            checks["worker"] = {"ok": False, "error": str(exc)[:200]}
        if request.GET.get("queues") and checks["redis"]["ok"]:
            # For monitoring, not the load balancer: waits the whole timeout
            # for every worker's answer. A queue nobody consumes (a pool not
            # started after an upgrade) is an error: its tasks would wait forever.
            try:
                from lienthong.celery import app, queue_names

                active = app.control.inspect(timeout=2.0).active_queues() or {}
                consumed = {queue["name"] for queues in active.values() for queue in queues}
                wanted = queue_names(app.conf.task_default_queue)
                missing = [name for name in wanted if name not in consumed]
                checks["queues"] = {"ok": not missing, "consumed": [n for n in wanted if n in consumed],
                                    "missing": missing}
            except Exception as exc:  # noqa: BLE001
                checks["queues"] = {"ok": False, "error": str(exc)[:200]}
            ok = ok and checks["queues"]["ok"]
    else:
        checks["redis"] = {"ok": True, "mode": "not configured"}
        checks["worker"] = {"ok": True, "mode": "eager (tasks run in-process)"}
    checks["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse({"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503)


# --- the contact-point directory of the staff pages ---
@access.staff_required
@require_GET
def contacts(request: access.SignedInRequest) -> HttpResponse:
    """Agencies and their named contact points in the user's province; the
    search ignores diacritics ("tan hong" finds "Tân Hồng")."""
    province = province_of(request.user.unit)
    q = (request.GET.get("q") or "").strip()
    agencies = Agency.objects.select_related("unit").prefetch_related("contact_points")
    if province is not None and not request.user.is_superuser:
        agencies = agencies.filter(Q(unit=province) | Q(unit__province=province))
    if q:
        key = search_key(q)
        # A province has a few hundred agencies: matching in Python keeps the
        # diacritic-free search exact without a database extension.
        rows = [a for a in agencies if key in search_key(" ".join(
            [a.name, a.unit.name, a.phone, *(f"{c.full_name} {c.position} {c.phone}" for c in
                                             a.contact_points.all())]))]
    else:
        own = request.user.unit
        rows = [a for a in agencies.filter(Q(unit=own) | Q(unit=province))] if own else []
    rows.sort(key=lambda a: (a.unit_id != request.user.unit_id, a.unit.level != AdminUnit.Level.PROVINCE,
                             unit_sort_key(a.unit), a.kind))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    template = "staff/_contact_rows.html" if request.htmx else "staff/contacts.html"
    return render(request, template, {"page": page, "q": q, "province": province, "query": pager_query(request)})
