"""How to call every route of the portal for the access matrix: which method,
which object of which scope, which body, and which state the object must be
in for the allowed call to succeed.

A route is keyed by its URL name (`namespace:name`). Scopes:
- "-": the route names no object (lists, forms, public pages);
- "own"/"foreign": a dossier (draft, difficulty report, document) of the
  user's own commune/province vs one of another province (Hà Nội);
- legs also "other_agency": a leg of the same dossier handled by another
  agency than the officer's.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from citizens.models import SubmissionDraft, SubmissionDraftFile
from dossiers.models import Dossier, DossierStatus, Leg, Rating
from reports.models import DifficultyReport, OutsideCount
from tests.dossiers.payloads import birth_payload
from tests.hardening.world import AGENCY_OF, FOREIGN_COMMUNE, FOREIGN_PROVINCE, OWN_COMMUNE, OWN_PROVINCE, World

NO_OBJECT = ("-",)
DOSSIER_SCOPES = ("own", "foreign")
LEG_SCOPES = ("own", "other_agency", "foreign")


def routes() -> dict[str, str]:
    """Every named route of the URL conf (admin site aside): name → pattern."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str = "", namespace: str | None = None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns or None)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found[name] = route
    walk(get_resolver().url_patterns)
    # The Django admin is Django's own, guarded by is_staff; not the portal's.
    return {name: route for name, route in found.items()
            if not name.startswith("admin:") and not route.startswith("admin/")}


# --- choosing the objects ------------------------------------------------------------

def dossier_for(world: World, role: str, scope: str):
    side = world.side(scope)
    # Labour officers only have legs in death dossiers (funeral support).
    return side.death if role == "labour" else side.birth


def leg_for(world: World, role: str, scope: str) -> Leg:
    agency = AGENCY_OF.get(role, "justice")
    if scope == "other_agency":
        side, agency = world.own, ("police" if agency == "justice" else "justice")
    else:
        side = world.side(scope)
    # Health officers get no legs: show them the justice leg.
    return side.legs.get(agency) or side.legs["justice"]


def set_leg(leg: Leg, status: str) -> None:
    Leg.objects.filter(pk=leg.pk).update(status=status)


def set_awaiting(world: World, role: str, scope: str) -> None:
    dossier = dossier_for(world, role, scope)
    from django.utils import timezone

    Leg.objects.filter(pk=dossier.legs.order_by("id").first().pk).update(
        status="awaiting_supplement", paused_at=timezone.now(),
        supplement_due_at=timezone.now() + timezone.timedelta(days=7))


# --- the routes ---------------------------------------------------------------------

@dataclass
class Call:
    method: str = "get"
    scopes: tuple[str, ...] = NO_OBJECT
    kwargs: Callable[[World, str, str], dict[str, Any]] = lambda w, r, s: {}
    data: Callable[[World, str, str], Any] = lambda w, r, s: None
    query: Callable[[World, str, str], dict[str, Any]] = lambda w, r, s: {}
    prepare: Callable[[World, str, str], None] = lambda w, r, s: None
    api: bool = False
    json: bool = False
    # For lists: the object whose code must (or must never) appear.
    lists: Callable[[World, str, str], str] | None = None
    # For pages about a province: its name, which a 200 must show only in scope.
    shows: Callable[[World, str, str], str] | None = None
    # For writes: what the call changes, read from the database before and
    # after it (an allowed write must change it, a refused one must not).
    state: Callable[[World, str, str], Any] | None = None


def _code(w: World, r: str, s: str) -> dict[str, Any]:
    return {"code": dossier_for(w, r, s).code}


def _leg(w: World, r: str, s: str) -> dict[str, Any]:
    return {"leg_id": leg_for(w, r, s).pk}


def _pending(w: World, r: str, s: str) -> None:
    set_leg(leg_for(w, r, s), "pending")


def _in_progress(w: World, r: str, s: str) -> None:
    set_leg(leg_for(w, r, s), "in_progress")


def _completed(w: World, r: str, s: str) -> None:
    Leg.objects.filter(dossier=dossier_for(w, r, s)).update(status="completed")
    dossier = dossier_for(w, r, s)
    type(dossier).objects.filter(pk=dossier.pk).update(status="completed")


def set_completed(world: World, role: str, scope: str) -> None:
    # A rating is taken only after the result.
    Dossier.objects.filter(pk=dossier_for(world, role, scope).pk).update(status=DossierStatus.COMPLETED)


def _rated(w: World, r: str, s: str) -> bool:
    return Rating.objects.filter(dossier=dossier_for(w, r, s)).exists()


def _dossier_state(w: World, r: str, s: str) -> tuple:
    dossier = dossier_for(w, r, s)
    return (Dossier.objects.values_list("status", "returned_at").get(pk=dossier.pk),
            list(Leg.objects.filter(dossier=dossier).order_by("id").values_list("status", flat=True)))


def _leg_state(w: World, r: str, s: str) -> str:
    return Leg.objects.values_list("status", flat=True).get(pk=leg_for(w, r, s).pk)


def _dossier_count(w: World, r: str, s: str) -> int:
    return Dossier.objects.count()


def _outside_counts(w: World, r: str, s: str) -> list:
    return list(OutsideCount.objects.order_by("pk").values_list("unit__code", "date", "procedure", "count"))


def _difficulty_count(w: World, r: str, s: str) -> int:
    return DifficultyReport.objects.count()


def _difficulty_closed(w: World, r: str, s: str) -> Any:
    return DifficultyReport.objects.values_list("closed_at", flat=True).get(pk=w.side(s).difficulty.pk)


def _draft_exists(w: World, r: str, s: str) -> bool:
    return SubmissionDraft.objects.filter(pk=w.side(s).draft.pk).exists()


def _draft_file_exists(w: World, r: str, s: str) -> bool:
    return SubmissionDraftFile.objects.filter(pk=w.side(s).draft_file.pk).exists()


def _reject_form(w: World, r: str, s: str) -> dict[str, Any]:
    return {"reason_code": "other", "reason_text": "Giấy tờ không hợp lệ"}


def _submit_payload(w: World, r: str, s: str) -> dict[str, Any]:
    payload = birth_payload()
    if s == "foreign":
        payload["unit"] = FOREIGN_COMMUNE
        payload["subject"]["residence"]["unit"] = FOREIGN_COMMUNE
    return payload


def _province(w: World, r: str, s: str) -> str:
    return OWN_PROVINCE if s == "own" else FOREIGN_PROVINCE


def _province_name(w: World, r: str, s: str) -> str:
    return w.side(s).daily.province.name


def _province_q(w: World, r: str, s: str) -> dict[str, str]:
    return {"province": _province(w, r, s)}


CALLS: dict[str, Call] = {
    # --- public and account pages ---
    "landing": Call(),
    "home": Call(),
    # Public, and slow (it pings the workers): asked once, anonymously.
    "healthz": Call(),
    "login": Call(),
    "logout": Call(method="post"),
    "set_language": Call(method="post", data=lambda w, r, s: {"language": "vi", "next": "/"}),
    "schema": Call(),
    "swagger": Call(),
    # --- API ---
    "api-token": Call(method="post", api=True, json=True, data=lambda w, r, s: {"username": "mx-nobody",
                                                                                   "password": "sai"}),
    "api-dossiers": Call(api=True, scopes=DOSSIER_SCOPES, lists=lambda w, r, s: dossier_for(w, r, s).code),
    "api-dossiers#post": Call(method="post", api=True, json=True, scopes=DOSSIER_SCOPES, data=_submit_payload, state=_dossier_count),
    "api-dossier": Call(api=True, scopes=DOSSIER_SCOPES, kwargs=_code),
    "api-dossier-supplement": Call(method="post", api=True, json=True, scopes=DOSSIER_SCOPES, kwargs=_code,
                                   data=lambda w, r, s: {"note": "Bổ sung bản sao giấy chứng sinh"},
                                   prepare=set_awaiting, state=_dossier_state),
    "api-dossier-withdraw": Call(method="post", api=True, json=True, scopes=DOSSIER_SCOPES, kwargs=_code,
                                 data=lambda w, r, s: {"reason": "Gia đình tự đi làm thủ tục"}, state=_dossier_state),
    "api-legs": Call(api=True, scopes=LEG_SCOPES, prepare=_pending, lists=lambda w, r, s: leg_for(w, r, s).pk),
    "api-leg-accept": Call(method="post", api=True, json=True, scopes=LEG_SCOPES, kwargs=_leg, prepare=_pending, state=_leg_state),
    "api-leg-request-supplement": Call(method="post", api=True, json=True, scopes=LEG_SCOPES, kwargs=_leg,
                                       prepare=_in_progress,
                                       data=lambda w, r, s: {"reason": "Thiếu bản sao giấy chứng sinh"}, state=_leg_state),
    "api-leg-complete": Call(method="post", api=True, json=True, scopes=LEG_SCOPES, kwargs=_leg,
                             prepare=_in_progress, data=lambda w, r, s: {"result": {}}, state=_leg_state),
    "api-leg-reject": Call(method="post", api=True, json=True, scopes=LEG_SCOPES, kwargs=_leg, prepare=_pending,
                           data=lambda w, r, s: {"reason": "Giấy tờ không hợp lệ"}, state=_leg_state),
    "api-outside-counts": Call(method="post", api=True, json=True, scopes=DOSSIER_SCOPES,
                               data=lambda w, r, s: {"unit": OWN_COMMUNE if s == "own" else FOREIGN_COMMUNE,
                                                     "date": "2026-11-02",
                                                     "procedure": "residence_registration", "count": 3}, state=_outside_counts),
    "api-reports-adoption": Call(api=True, scopes=DOSSIER_SCOPES,
                                 query=lambda w, r, s: {"province": _province(w, r, s), "from": "2026-11-01",
                                                        "to": "2026-11-20", "group_by": "commune"}),
    "api-reports-daily": Call(api=True, scopes=DOSSIER_SCOPES,
                              query=lambda w, r, s: {"province": _province(w, r, s), "date": "2026-11-02"}),
    # --- staff pages ---
    "staff:counter": Call(),
    "staff:communes": Call(query=lambda w, r, s: {"commune_q": "tan hong"}),
    "staff:counter_preview": Call(method="post", data=lambda w, r, s: {"bundle": "birth"}),
    "staff:dossiers": Call(scopes=DOSSIER_SCOPES, lists=lambda w, r, s: dossier_for(w, r, s).code),
    "staff:dossier": Call(scopes=DOSSIER_SCOPES, kwargs=_code),
    "staff:receipt": Call(scopes=DOSSIER_SCOPES, kwargs=_code),
    "staff:dossier_returned": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=_code, prepare=_completed, state=_dossier_state),
    "staff:attachment": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {
        "code": dossier_for(w, r, s).code, "pk": dossier_for(w, r, s).attachments.first().pk}),
    "staff:document": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {
        "code": w.side(s).birth.code, "pk": w.side(s).document.pk}),
    "staff:queue": Call(scopes=LEG_SCOPES, prepare=_pending,
                        lists=lambda w, r, s: reverse("staff:leg", args=[leg_for(w, r, s).pk])),
    "staff:leg": Call(scopes=LEG_SCOPES, kwargs=_leg),
    "staff:leg_accept": Call(method="post", scopes=LEG_SCOPES, kwargs=_leg, prepare=_pending, state=_leg_state),
    "staff:leg_supplement": Call(method="post", scopes=LEG_SCOPES, kwargs=_leg, prepare=_in_progress,
                                 data=lambda w, r, s: {"reason": "Thiếu bản sao giấy chứng sinh"}, state=_leg_state),
    "staff:leg_complete": Call(method="post", scopes=LEG_SCOPES, kwargs=_leg, prepare=_in_progress, state=_leg_state),
    "staff:leg_reject": Call(method="post", scopes=LEG_SCOPES, kwargs=_leg, prepare=_pending, data=_reject_form, state=_leg_state),
    "staff:difficulties": Call(),
    "staff:difficulties#post": Call(method="post", data=lambda w, r, s: {
        "service": "", "description": "Đường truyền chậm", "since": "02/11/2026"}, state=_difficulty_count),
    "staff:difficulty_close": Call(method="post", scopes=DOSSIER_SCOPES,
                                   kwargs=lambda w, r, s: {"pk": w.side(s).difficulty.pk},
                                   data=lambda w, r, s: {"resolution": "Đã khắc phục"}, state=_difficulty_closed),
    "staff:contacts": Call(),
    "staff:unusual_access": Call(query=lambda w, r, s: {"date_from": "01/11/2026", "date_to": "20/11/2026"}),
    "staff:dossier_supplement": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=_code, prepare=set_awaiting,
                                     data=lambda w, r, s: {"note": "Công dân nộp bổ sung tại quầy"}, state=_dossier_state),
    "staff:dossier_withdraw": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=_code,
                                   data=lambda w, r, s: {"reason": "Gia đình tự đi làm thủ tục"}, state=_dossier_state),
    # --- reports pages (?province= the user's own or another) ---
    "reports:dashboard": Call(scopes=DOSSIER_SCOPES, query=_province_q),
    "reports:adoption": Call(scopes=DOSSIER_SCOPES, query=_province_q),
    "reports:daily_list": Call(scopes=DOSSIER_SCOPES, query=_province_q),
    "reports:daily_preview": Call(scopes=DOSSIER_SCOPES, query=lambda w, r, s: {**_province_q(w, r, s),
                                                                                 "date": "2026-11-01"}),
    "reports:daily_detail": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {"pk": w.side(s).daily.pk}),
    "reports:daily_file": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {"pk": w.side(s).daily.pk,
                                                                              "kind": "xlsx"}),
    "reports:summary": Call(scopes=DOSSIER_SCOPES, query=_province_q),
    "reports:outside_counts": Call(scopes=DOSSIER_SCOPES, query=_province_q, shows=_province_name),
    # --- citizens' pages ---
    "citizen:home": Call(scopes=DOSSIER_SCOPES, lists=lambda w, r, s: dossier_for(w, r, s).code),
    "citizen:my_data": Call(scopes=DOSSIER_SCOPES, lists=lambda w, r, s: dossier_for(w, r, s).code),
    "citizen:wizard": Call(),
    "citizen:wizard_delete": Call(method="post", scopes=DOSSIER_SCOPES,
                                  kwargs=lambda w, r, s: {"draft_id": w.side(s).draft.pk}, state=_draft_exists),
    "citizen:wizard_file_remove": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {
        "draft_id": w.side(s).draft.pk, "file_id": w.side(s).draft_file.pk}, state=_draft_file_exists),
    "citizen:wizard_step": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {
        "draft_id": w.side(s).draft.pk, "step": "noi-nop"}),
    "citizen:communes": Call(query=lambda w, r, s: {"province": OWN_PROVINCE}),
    "citizen:dossier": Call(scopes=DOSSIER_SCOPES, kwargs=_code),
    "citizen:supplement": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=_code, prepare=set_awaiting,
                               data=lambda w, r, s: {"note": "Bổ sung bản sao giấy chứng sinh"}, state=_dossier_state),
    "citizen:rate": Call(method="post", scopes=DOSSIER_SCOPES, kwargs=_code, prepare=set_completed,
                         data=lambda w, r, s: {"level": "satisfied", "comment": ""}, state=_rated),
    "citizen:document_download": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {
        "code": w.side(s).birth.code, "kind": "birth_certificate"}),
    "citizen:track": Call(),
    "citizen:verify": Call(scopes=DOSSIER_SCOPES, kwargs=lambda w, r, s: {"token": w.side(s).document.token}),
    "citizen:signup": Call(),
    "citizen:signup_confirm": Call(),
    "citizen:password_reset": Call(),
    "citizen:password_reset_confirm": Call(),
}


def call_url(name: str, world: World, role: str, scope: str) -> str:
    call = CALLS[name]
    url = reverse(name.split("#")[0], kwargs=call.kwargs(world, role, scope) or None)
    query = call.query(world, role, scope)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def perform(name: str, world: World, role: str, scope: str, ready: Callable[[], None] | None = None):
    """Make the request as `role`; answer the response. `ready` runs once
    the objects are prepared, just before the request."""
    call = CALLS[name]
    call.prepare(world, role, scope)
    if ready:
        ready()
    client = Client()
    headers: dict[str, str] = {}
    if world.users[role] is not None:
        if call.api:
            headers["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = call_url(name, world, role, scope)
    data = call.data(world, role, scope)
    if call.method == "get":
        return client.get(url, **headers)
    if call.json:
        return client.post(url, data=data or {}, content_type="application/json", **headers)
    return client.post(url, data=data or {}, **headers)


def listed(response, needle: str | int) -> bool:
    """Whether a list shows the object: a leg id among the JSON results, or
    a dossier code / link in the page."""
    if isinstance(needle, int):
        return any(row.get("id") == needle for row in response.json().get("results", []))
    return needle in response.content.decode()
