"""Citizens' and public pages: sign-up, password reset, the submission wizard,
own dossiers with their timeline, supplements, downloads, public tracking and
document verification.

Thin views: access through agencies.access, writes through dossiers.services
(and the account/draft services of citizens.services), documents through
dossiers.documents. PDFs are never rendered here, only served.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from agencies import access, auth, phones
from agencies.models import User
from agencies.selectors import resolve_unit
from citizens import forms as f
from citizens import services
from citizens.models import SubmissionDraft
from dossiers import documents, eligibility, rules
from dossiers import services as engine
from dossiers.models import (
    Bundle,
    Channel,
    Document,
    Dossier,
    DossierStatus,
    DossierView,
    LegStatus,
    Rating,
    Service,
    Transition,
)
from dossiers.selectors import dossier_list, dossier_timeline, own_data, retention_until
from dossiers.vocabulary import SERVICE_PAPERS
from lienthong import auth as lienthong_auth
from lienthong.errors import DomainError

SESSION_SIGNUP = "citizen_signup_user"
SESSION_RESET = "citizen_reset_user"
# Public tracking: wrong answers allowed per client address and per code in
# TRACK_WINDOW before the form stops answering (guessing codes or phones).
TRACK_LIMIT_PER_IP = 10
TRACK_LIMIT_PER_CODE = 5
TRACK_WINDOW = timedelta(minutes=15)
# What an unreachable cache raises (Redis in production).
CACHE_DOWN = (RedisError, OSError)
logger = logging.getLogger(__name__)


def _citizen_required(view):
    """Logged-in citizens only; staff are sent to their own pages."""
    @login_required
    def wrapped(request: access.SignedInRequest, *args, **kwargs) -> HttpResponse:
        if not access.uses_citizen_pages(request.user):
            return redirect("home")
        return view(request, *args, **kwargs)
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _form_errors(form, exc: DomainError, mapping: dict[str, str] | None = None) -> None:
    for key, msgs in exc.errors.items():
        field = (mapping or {}).get(key, key.rsplit(".", 1)[-1])
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


# --- accounts --------------------------------------------------------------------

@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = f.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_signup(full_name=form.cleaned_data["full_name"],
                                           contact=form.cleaned_data["contact"],
                                           password=form.cleaned_data["password1"])
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            request.session[SESSION_SIGNUP] = user.pk
            try:
                services.one_time_code_send(user=user, purpose="signup", to=services.contact_of(user))
            except DomainError as exc:
                messages.warning(request, exc.errors["code"][0])
            return redirect("citizen:signup_confirm")
    return render(request, "citizen/signup.html", {"form": form})


@never_cache
def signup_confirm(request: HttpRequest) -> HttpResponse:
    user = services.signup_waiting(request.session.get(SESSION_SIGNUP))
    if user is None:
        return redirect("citizen:signup")
    form = f.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.one_time_code_send(user=user, purpose="signup", to=services.contact_of(user))
            messages.info(request, _("Đã gửi lại mã xác nhận."))
        except DomainError as exc:
            messages.warning(request, exc.errors["code"][0])
        return redirect("citizen:signup_confirm")
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_signup_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            request.session.pop(SESSION_SIGNUP, None)
            # The backend that logs citizens in (axes' backend only refuses).
            login(request, user, backend="agencies.auth.ContactBackend")
            messages.success(request, _("Tài khoản đã được kích hoạt. Bạn có thể nộp hồ sơ ngay."))
            return redirect("citizen:home")
    return render(request, "citizen/signup_confirm.html", {"form": form, "sent_to": services.contact_of(user)})


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = f.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        users = list(auth.users_by_contact(form.cleaned_data["contact"]).filter(is_active=True)[:2])
        # The same answer whether or not the contact is known.
        if len(users) == 1 and services.contact_of(users[0]):
            request.session[SESSION_RESET] = users[0].pk
            try:
                services.one_time_code_send(user=users[0], purpose="password_reset", to=services.contact_of(users[0]))
            except DomainError:
                pass
        else:
            request.session[SESSION_RESET] = None
        return redirect("citizen:password_reset_confirm")
    return render(request, "registration/password_reset_form.html", {"form": form})


@never_cache
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    if SESSION_RESET not in request.session:
        return redirect("citizen:password_reset")
    form = f.PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(pk=request.session.get(SESSION_RESET, 0), is_active=True).first()
        try:
            if user is None:
                raise DomainError({"code": [_("Mã xác nhận không đúng hoặc đã hết hạn.")]})
            services.one_time_code_check(user=user, purpose="password_reset", code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            user.set_password(form.cleaned_data["password1"])
            user.save(update_fields=["password"])
            request.session.pop(SESSION_RESET, None)
            messages.success(request, _("Đã đặt mật khẩu mới. Mời bạn đăng nhập."))
            return redirect("login")
    return render(request, "registration/password_reset_confirm.html", {"form": form})


# --- own dossiers --------------------------------------------------------------------

@_citizen_required
def home(request: access.SignedInRequest) -> HttpResponse:
    status = request.GET.get("trang_thai") or ""
    if status not in DossierStatus.values:
        status = ""
    mine = dossier_list(user=request.user)
    counts = dict(mine.order_by().values_list("status").annotate(n=Count("id")))
    # Only the statuses the citizen has, in the order of the status list.
    filters = [{"value": "", "label": _("Tất cả"), "count": sum(counts.values())}] + [
        {"value": value, "label": label, "count": counts[value]} for value, label in DossierStatus.choices
        if counts.get(value)]
    dossiers = list((mine.filter(status=status) if status else mine).prefetch_related("legs")[:50])
    for dossier in dossiers:
        dossier.needs_answer = any(leg.status == LegStatus.AWAITING_SUPPLEMENT for leg in dossier.legs.all())
    drafts = SubmissionDraft.objects.filter(user=request.user, submitted_code="")
    return render(request, "citizen/home.html", {"dossiers": dossiers, "drafts": drafts, "filters": filters,
                                                 "status": status})


def _viewer(row: DossierView, me: User) -> str:
    """Who opened a dossier, as the citizen sees it: their own account, or
    the viewer's role, agency and unit. Staff names are deliberately left
    out: a citizen needs to know which office looked at their data (to ask
    it, or to complain to it), while naming each officer to the public invites
    pressure on people doing routine work. The full record, with the
    account, stays in the view log for administrators and inspectors."""
    viewer = row.user
    if viewer is None:
        return _("Tài khoản đã bị xóa")
    if viewer.pk == me.pk:
        return _("Bạn (tài khoản này)")
    parts = [viewer.get_agency_display() if viewer.agency else viewer.get_role_display()]
    if viewer.unit is not None:
        parts.append(viewer.unit.name)
    return " – ".join(str(p) for p in parts)


@_citizen_required
def my_data(request: access.SignedInRequest) -> HttpResponse:
    """Dữ liệu của tôi: every dossier this account filed, what the portal holds
    of it, how long, and who opened it (docs/domain.md §2, §10)."""
    held = [{"dossier": dossier, "kept_until": retention_until(dossier),
             "openings": [{"at": row.at, "who": _viewer(row, request.user), "full": row.full_data,
                           "mine": row.user_id == request.user.pk} for row in dossier.view_rows]}
            for dossier in own_data(user=request.user)]
    legal_basis = rules.citation("retention.personal_data_years", timezone.localdate())
    return render(request, "citizen/my_data.html", {"held": held, "legal_basis": legal_basis})


def _timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """The transition log in plain words, newest first."""
    rows = list(dossier_timeline(dossier))
    out = []
    for row in rows:
        text = _plain_event(row)
        if text:
            out.append({"at": row.at, "text": text, "reason": row.reason, "state": row.to_state})
    return list(reversed(out))


def _plain_event(row: Transition) -> str:
    if row.leg_id is None:
        said: dict[str, str] = {
            DossierStatus.SUBMITTED: _("Hồ sơ đã được tiếp nhận."),
            DossierStatus.IN_PROGRESS: _("Hồ sơ đang được giải quyết."),
            DossierStatus.COMPLETED: _("Tất cả thủ tục đã hoàn thành."),
            DossierStatus.PARTIALLY_COMPLETED: _("Hồ sơ đã xong; một số thủ tục không được giải quyết."),
            DossierStatus.REJECTED: _("Hồ sơ bị từ chối."),
            DossierStatus.WITHDRAWN: _("Hồ sơ đã được rút."),
        }
        return said.get(row.to_state, "")
    leg = row.leg
    assert leg is not None  # leg_id is set
    service, agency = leg.get_service_display(), leg.get_agency_display()
    if row.action == "create" and row.to_state == LegStatus.WAITING:
        return ""  # said by the dossier's own "received" line
    said = {
        LegStatus.WAITING: "",
        LegStatus.PENDING: _("%(service)s: đã chuyển đến %(agency)s, chờ tiếp nhận.") % {"service": service,
                                                                                        "agency": agency},
        LegStatus.IN_PROGRESS: (_("%(service)s: đã nhận giấy tờ bổ sung, tiếp tục xử lý.")
                                if row.from_state == LegStatus.AWAITING_SUPPLEMENT
                                else _("%(service)s: %(agency)s đang xử lý.")) % {"service": service,
                                                                                  "agency": agency},
        LegStatus.AWAITING_SUPPLEMENT: _("%(service)s: cơ quan đề nghị bổ sung giấy tờ.") % {"service": service},
        LegStatus.COMPLETED: _("%(service)s: đã hoàn thành.") % {"service": service},
        LegStatus.REJECTED: _("%(service)s: không được giải quyết.") % {"service": service},
        LegStatus.CANCELLED: _("%(service)s: đã dừng vì thủ tục trước không được giải quyết.") % {"service": service},
    }
    return said.get(row.to_state, "")


def _documents(dossier: Dossier) -> tuple[list[Document], bool]:
    """Issued documents, and whether one is still being rendered."""
    issued = list(dossier.documents.exclude(sha256="").filter(kind__in=documents.ISSUED_KINDS).order_by("created_at"))
    have = {d.kind for d in issued}
    completed = set(dossier.legs.filter(status=LegStatus.COMPLETED).values_list("service", flat=True))
    expected = {kind for kind, service in documents.RESULT_LEG.items() if service in completed}
    if dossier.channel == Channel.ONLINE:
        expected.add(Document.Kind.APPOINTMENT_SLIP)
    return issued, bool(expected - have)


@_citizen_required
def dossier_detail(request: access.SignedInRequest, code: str) -> HttpResponse:
    dossier = access.get_dossier_or_404(request.user, code)
    context = _dossier_context(request, dossier)
    if request.htmx and request.GET.get("part") == "documents":
        return render(request, "citizen/_documents.html", context)
    # An opening of the page (the documents' polling above is none).
    engine.dossier_view_record(user=request.user, dossier=dossier,
                               full_data=access.can_act_on_dossier(request.user, dossier))
    return render(request, "citizen/dossier.html", context)


def _uploads(request: access.SignedInRequest) -> list:
    return [u for name in ("photo", "files") for u in request.FILES.getlist(name)]


@_citizen_required
@require_POST
def supplement(request: access.SignedInRequest, code: str) -> HttpResponse:
    dossier = access.get_dossier_or_404(request.user, code)
    form = f.SupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            engine.dossier_supplement(code=dossier.code, user=request.user, note=form.cleaned_data["note"],
                                      files=_uploads(request))
        except DomainError as exc:
            _form_errors(form, exc, {"files": "files", "attachments": "files"})
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung. Cơ quan tiếp tục xử lý hồ sơ."))
            return redirect("citizen:dossier", code=dossier.code)
    return render(request, "citizen/dossier.html", _dossier_context(request, dossier, supplement_form=form),
                  status=400)


def _dossier_context(request: access.SignedInRequest, dossier: Dossier, *, supplement_form: Any = None,
                     rating_form: Any = None) -> dict[str, Any]:
    legs = list(dossier.legs.order_by("id"))
    docs, rendering = _documents(dossier)
    rating = Rating.objects.filter(dossier=dossier).first()
    return {"dossier": dossier, "legs": legs, "asking": [leg for leg in legs if leg.status == LegStatus.AWAITING_SUPPLEMENT],
            "timeline": _timeline(dossier), "documents": docs, "rendering": rendering,
            "supplement_form": supplement_form or f.SupplementForm(), "rating": rating,
            "can_rate": rating is None and dossier.status in engine.RATEABLE_STATES
            and access.can_rate_dossier(request.user, dossier),
            "rating_form": rating_form or f.RatingForm()}


@_citizen_required
@require_POST
def rate(request: access.SignedInRequest, code: str) -> HttpResponse:
    """The citizen rates the handling of their dossier, once, after the result."""
    dossier = access.get_dossier_or_404(request.user, code)
    form = f.RatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            engine.dossier_rate(code=dossier.code, user=request.user, level=form.cleaned_data["level"],
                                comment=form.cleaned_data["comment"])
        except DomainError as exc:
            _form_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ."))
            return redirect("citizen:dossier", code=dossier.code)
    dossier.refresh_from_db()
    return render(request, "citizen/dossier.html", _dossier_context(request, dossier, rating_form=form),
                  status=status)


@login_required
def document_download(request: access.SignedInRequest, code: str, kind: str) -> FileResponse:
    """Any user who may see the dossier (the citizen, its clerk, officers)."""
    dossier = access.get_dossier_or_404(request.user, code)
    document = dossier.documents.exclude(sha256="").filter(kind=kind).first()
    if document is None or not document.file:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"{kind}-{dossier.code}.pdf")


# --- the wizard -------------------------------------------------------------------------

@_citizen_required
def wizard(request: access.SignedInRequest) -> HttpResponse:
    """Start a new application, or pick up a saved draft."""
    if request.method == "POST":
        draft = services.draft_create(user=request.user)
        return redirect("citizen:wizard_step", draft_id=draft.pk, step=services.STEPS[0])
    drafts = SubmissionDraft.objects.filter(user=request.user, submitted_code="")
    if not drafts.exists():
        draft = services.draft_create(user=request.user)
        return redirect("citizen:wizard_step", draft_id=draft.pk, step=services.STEPS[0])
    return render(request, "citizen/wizard_start.html", {"drafts": drafts})


def _draft(request: access.SignedInRequest, draft_id: int) -> SubmissionDraft:
    return get_object_or_404(SubmissionDraft, pk=draft_id, user=request.user, submitted_code="")


def _step_context(draft: SubmissionDraft, step: str, **extra) -> dict[str, Any]:
    index = services.STEPS.index(step)
    return {"draft": draft, "step": step, "step_no": index + 1, "step_count": len(services.STEPS),
            "step_label": f.STEP_LABELS[step],
            "steps": [{"slug": s, "label": f.STEP_LABELS[s], "no": i + 1,
                       "reachable": i <= services.STEPS.index(draft.step if draft.step in services.STEPS else services.STEPS[0])}
                      for i, s in enumerate(services.STEPS)],
            "previous": services.STEPS[index - 1] if index else None, **extra}


def _next(draft: SubmissionDraft, step: str) -> HttpResponse:
    return redirect("citizen:wizard_step", draft_id=draft.pk, step=services.STEPS[services.STEPS.index(step) + 1])


@_citizen_required
def wizard_step(request: access.SignedInRequest, draft_id: int, step: str) -> HttpResponse:
    draft = _draft(request, draft_id)
    if step not in services.STEPS:
        raise Http404
    if step != services.STEPS[0] and not draft.data.get("bundle"):
        return redirect("citizen:wizard_step", draft_id=draft.pk, step=services.STEPS[0])
    handler = {"noi-nop": _step_place, "nguoi": _step_subject, "thu-tuc": _step_services,
               "giay-to": _step_files, "xac-nhan": _step_confirm}[step]
    return handler(request, draft, step)


def _step_place(request: access.SignedInRequest, draft: SubmissionDraft, step: str) -> HttpResponse:
    data = draft.data
    residence = (data.get("subject") or {}).get("residence") or {}
    unit_code = data.get("unit") or ""
    province = ""
    if unit_code:
        unit = resolve_unit(unit_code)
        province = unit.province.code if unit and unit.province else ""
    initial = {"bundle": data.get("bundle"), "province": province, "unit": unit_code,
               "address": residence.get("address") or data.get("address", "")}
    if request.method == "POST" and "pick_province" in request.POST:
        # Without JavaScript: the province was chosen, now show its communes.
        form = f.PlaceForm(initial={**initial, **request.POST.dict(), "unit": ""})
        return render(request, "citizen/wizard_place.html", _step_context(draft, step, form=form))
    form = f.PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        new = dict(data)
        if new.get("bundle") and new["bundle"] != d["bundle"]:
            new.pop("subject", None)
            new.pop("services", None)
        new.update({"bundle": d["bundle"], "unit": d["unit"], "channel": Channel.ONLINE})
        subject = dict(new.get("subject") or {})
        if d["bundle"] == Bundle.BIRTH:
            subject["residence"] = {**(subject.get("residence") or {}), "unit": d["unit"], "address": d["address"]}
        else:
            subject["residence"] = {"unit": d["unit"], "address": d["address"]}
        new["subject"] = subject
        services.draft_save(draft=draft, data=new, step=services.STEPS[1])
        return _next(draft, step)
    return render(request, "citizen/wizard_place.html", _step_context(draft, step, form=form))


@_citizen_required
def communes(request: access.SignedInRequest) -> HttpResponse:
    """The commune <option>s of a province (htmx, on changing the province)."""
    return render(request, "citizen/_commune_options.html",
                  {"choices": f.commune_choices(request.GET.get("province"))})


def _step_subject(request: access.SignedInRequest, draft: SubmissionDraft, step: str) -> HttpResponse:
    form_class = f.BirthSubjectForm if draft.data.get("bundle") == Bundle.BIRTH else f.DeathSubjectForm
    form = form_class(request.POST or None, initial=form_class.initial_from(draft.data), draft=draft.data,
                      user=request.user)
    if request.method == "POST" and form.is_valid():  # the engine's rules for this step's fields included
        services.draft_save(draft=draft, data=form.applied, step=services.STEPS[2])
        return _next(draft, step)
    return render(request, "citizen/wizard_subject.html", _step_context(draft, step, form=form))


SERVICE_HELP: dict[str, str] = {
    Service.BIRTH_REGISTRATION: _("Cấp giấy khai sinh (bản điện tử) và số định danh cá nhân cho trẻ. "
                                  "Bắt buộc, làm trước các thủ tục khác."),
    Service.RESIDENCE_REGISTRATION: _("Đăng ký thường trú cho trẻ vào hộ của cha hoặc mẹ, do Công an xã thực hiện "
                                      "sau khi có giấy khai sinh."),
    Service.HEALTH_INSURANCE_CARD: _("Cấp thẻ bảo hiểm y tế miễn phí cho trẻ dưới 6 tuổi, do Bảo hiểm xã hội "
                                     "thực hiện sau khi có giấy khai sinh."),
    Service.DEATH_REGISTRATION: _("Cấp trích lục khai tử. Bắt buộc, làm trước các thủ tục khác."),
    Service.RESIDENCE_REMOVAL: _("Xóa đăng ký thường trú của người đã mất, do Công an xã thực hiện."),
    Service.FUNERAL_ALLOWANCE: _("Trợ cấp mai táng một lần cho người lo mai táng, do Bảo hiểm xã hội (hoặc "
                                 "Lao động - Thương binh và Xã hội với người có công) chi trả."),
    Service.FUNERAL_SUPPORT: _("Hỗ trợ chi phí mai táng cho người hưởng trợ cấp xã hội hằng tháng, do phòng "
                               "Lao động - Thương binh và Xã hội chi trả."),
}


def _verdicts(draft: SubmissionDraft) -> list[dict[str, Any]]:
    chosen = set(draft.data.get("services") or [])
    required = eligibility.PREREQUISITE.get(draft.data.get("bundle"), "")
    out = []
    for verdict in eligibility.explain(draft.data, on=timezone.localdate()):
        out.append({"service": verdict.service, "label": Service(verdict.service).label,
                    "help": SERVICE_HELP.get(verdict.service, ""), "offered": verdict.offered,
                    "reason": verdict.reason, "citation": verdict.citation,
                    "automatic": getattr(verdict, "automatic", False), "required": verdict.service == required,
                    # The whole bundle starts ticked (that is the point of liên
                    # thông); once the citizen chose, their choice stands.
                    "checked": verdict.offered and (verdict.service == required or verdict.service in chosen
                                                    or getattr(verdict, "automatic", False)
                                                    or "services" not in draft.data)})
    return out


def _step_services(request: access.SignedInRequest, draft: SubmissionDraft, step: str) -> HttpResponse:
    verdicts = _verdicts(draft)
    error = ""
    if request.method == "POST":
        offered = {v["service"] for v in verdicts if v["offered"]}
        picked = [v["service"] for v in verdicts
                  if v["service"] in offered and (v["required"] or v["automatic"]
                                                  or v["service"] in request.POST.getlist("services"))]
        if not offered:
            error = _("Hồ sơ này không thể nộp qua dịch vụ liên thông; vui lòng xem lý do bên dưới.")
        elif len(picked) < 2 and draft.data.get("bundle") == Bundle.BIRTH:
            error = _("Chọn thêm ít nhất một thủ tục: đăng ký thường trú hoặc cấp thẻ BHYT.")
        else:
            services.draft_save(draft=draft, data={**draft.data, "services": picked}, step=services.STEPS[3])
            return _next(draft, step)
        for v in verdicts:
            v["checked"] = v["offered"] and (v["required"] or v["automatic"] or v["service"] in picked)
    return render(request, "citizen/wizard_services.html",
                  _step_context(draft, step, verdicts=verdicts, error=error))


def _step_files(request: access.SignedInRequest, draft: SubmissionDraft, step: str) -> HttpResponse:
    form = f.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        errors = []
        for upload in _uploads(request):
            try:
                services.draft_file_add(draft=draft, upload=upload)
            except DomainError as exc:
                errors += [f"{upload.name}: {m}" for msgs in exc.errors.values() for m in msgs]
        for message in errors:
            form.add_error(None, message)
        if not errors and "continue" in request.POST:
            if not draft.files.exists():
                form.add_error(None, _("Cần ít nhất một giấy tờ (ảnh chụp hoặc tệp PDF)."))
            else:
                services.draft_save(draft=draft, data=draft.data, step=services.STEPS[4])
                return _next(draft, step)
        elif not errors:
            return redirect("citizen:wizard_step", draft_id=draft.pk, step=step)
    # What to attach, per chosen service (the vocabulary's list of papers).
    chosen = [code for code in draft.data.get("services") or [] if code in Service.values]
    needed = [{"service": Service(code).label, "papers": SERVICE_PAPERS.get(code, [])} for code in chosen]
    papers = [str(p) for code in chosen for p in SERVICE_PAPERS.get(code, [])]
    return render(request, "citizen/wizard_files.html",
                  _step_context(draft, step, form=form, files=draft.files.all(), needed=needed, papers=papers))


@_citizen_required
@require_POST
def wizard_file_remove(request: access.SignedInRequest, draft_id: int, file_id: int) -> HttpResponse:
    draft = _draft(request, draft_id)
    item = get_object_or_404(draft.files, pk=file_id)
    item.file.delete(save=False)
    item.delete()
    return redirect("citizen:wizard_step", draft_id=draft.pk, step="giay-to")


@_citizen_required
@require_POST
def wizard_delete(request: access.SignedInRequest, draft_id: int) -> HttpResponse:
    services.draft_delete(draft=_draft(request, draft_id))
    messages.info(request, _("Đã xóa hồ sơ nháp."))
    return redirect("citizen:home")


def _draft_uploads(draft: SubmissionDraft) -> list[SimpleUploadedFile]:
    out = []
    for item in draft.files.all():
        with item.file.open("rb") as fh:
            out.append(SimpleUploadedFile(item.original_name, fh.read(), content_type=item.content_type))
    return out


def _grouped_errors(errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for field, msgs in errors.items():
        groups.setdefault(f.step_for_field(field), []).extend(str(m) for m in msgs)
    return [{"step": s, "label": f.STEP_LABELS[s], "messages": groups[s]} for s in services.STEPS if s in groups]


def _step_confirm(request: access.SignedInRequest, draft: SubmissionDraft, step: str) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            dossier = engine.dossier_submit(data=draft.data, user=request.user, files=_draft_uploads(draft))
        except DomainError as exc:
            errors = exc.errors
        else:
            services.draft_delete(draft=draft)
            messages.success(request, _("Đã nộp hồ sơ %(code)s. Giấy hẹn trả kết quả sẽ có trong giây lát.")
                             % {"code": dossier.code})
            return redirect("citizen:dossier", code=dossier.code)
    preview = engine.dossier_preview(data=draft.data, user=request.user)
    errors = errors or preview.get("errors") or {}
    unit = resolve_unit(draft.data.get("unit") or "")
    chosen = draft.data.get("services") or []
    return render(request, "citizen/wizard_confirm.html", _step_context(
        draft, step, data=draft.data, unit=unit,
        dates={k: documents._dmy((draft.data.get("subject") or {}).get(k)) for k in ("date_of_birth", "date_of_death")}, preview=preview, errors=errors, error_groups=_grouped_errors(errors),
        services=[Service(s).label for s in chosen if s in Service.values], files=draft.files.all(),
        verdicts=[v for v in _verdicts(draft) if not v["offered"] and v["service"] in chosen]))


# --- public pages ------------------------------------------------------------------------------

def _track_keys(request: HttpRequest, code: str) -> list[tuple[str, int]]:
    """The failure counters of a tracking request: per client address (as the
    deployment sees it) and per (code, client). Not per code alone, or anyone
    could lock the owner out of their own dossier with five wrong phones."""
    client = lienthong_auth.client_address(request) or "unknown"
    pair = hashlib.sha256(f"{code.upper()}|{client}".encode()).hexdigest()[:32]
    return [(f"track:ip:{client}", TRACK_LIMIT_PER_IP), (f"track:code-client:{pair}", TRACK_LIMIT_PER_CODE)]


def _throttled(request: HttpRequest, code: str) -> bool:
    keys = _track_keys(request, code)
    try:
        counts = cache.get_many([key for key, _limit in keys])
    except CACHE_DOWN:  # the cache (Redis) is down: answer, unthrottled, and say so
        logger.warning("Public tracking (/tra-cuu/) answers unthrottled: the cache is unavailable", exc_info=True)
        return False
    return any((counts.get(key) or 0) >= limit for key, limit in keys)


def _count_failure(request: HttpRequest, code: str) -> None:
    timeout = int(TRACK_WINDOW.total_seconds())
    try:
        for key, _limit in _track_keys(request, code):
            cache.add(key, 0, timeout=timeout)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=timeout)
    except CACHE_DOWN:
        logger.warning("Public tracking (/tra-cuu/) could not count a failure: the cache is unavailable",
                       exc_info=True)


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Status by dossier code + the applicant's phone: status only, and one
    answer for a wrong phone and for a code that does not exist."""
    form = f.TrackForm(request.POST or None)
    found, refused, throttled = None, False, False
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        phone = phones.phone_normalize(form.cleaned_data["phone"])
        if _throttled(request, code):
            throttled = True
        else:
            dossier = Dossier.objects.filter(code__iexact=code).first()
            # Stored normalised by the same rule (agencies.phones), so equal spellings match.
            if dossier and phone and phones.phone_normalize(dossier.applicant_phone) == phone:
                found = {"code": dossier.code, "bundle": dossier.get_bundle_display(),
                         "status": dossier.status, "status_label": dossier.get_status_display(),
                         "submitted_at": dossier.submitted_at, "due_at": dossier.due_at,
                         "legs": [{"service": leg.get_service_display(), "status": leg.status,
                                   "status_label": leg.get_status_display()}
                                  for leg in dossier.legs.order_by("id")]}
            else:
                refused = True
                _count_failure(request, code)
    status = 429 if throttled else 200
    return render(request, "citizen/track.html",
                  {"form": form, "found": found, "refused": refused, "throttled": throttled}, status=status)


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    form = f.VerifyUploadForm(request.POST or None, request.FILES or None)
    content = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size <= settings.MAX_UPLOAD_SIZE:
            content = upload.read()
        else:
            form.add_error("file", _("Tệp lớn hơn 10 MB."))
    result = documents.document_verify(token=token, content=content)
    summary = documents.public_summary(result.document) if result.document and result.status != "modified" else None
    return render(request, "citizen/verify.html", {
        "verification": result, "summary": summary, "form": form,
        "kind_label": Document.Kind(result.document.kind).label if result.document else "",
        "sha256": result.document.sha256 if result.document else ""})

