"""Staff pages: the one-stop counter, the dossier list, the agencies' work
queue, the dossier page, difficulty reports and the contact directory.

Views stay thin: check access through `agencies.access`, parse
the form, call a service or selector of `dossiers.services` /
`dossiers.selectors`, render.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import TextChoices
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import access
from agencies.models import AdminUnit, AgencyKind
from dossiers import documents, rules, selectors, services, vocabulary
from dossiers.models import Bundle, Document, Dossier, DossierStatus, Leg, LegStatus, Rating, Service
from lienthong import formatting
from lienthong.errors import Conflict, DomainError
from lienthong.paging import PAGE_SIZE, pager_query
from lienthong.redirects import safe_next
from staff import forms as f

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

def _counter_unit(request: access.SignedInRequest) -> AdminUnit:
    """The commune whose counter the user works at (access.can_use_counter)."""
    unit = request.user.unit
    if unit is None or not access.can_use_counter(request.user):
        raise PermissionDenied
    return unit


def _conflict_message(leg: Leg) -> str:
    return _("Thao tác không thực hiện được: thủ tục “%(service)s” của hồ sơ %(code)s vừa được người khác "
             "xử lý, trạng thái hiện tại là “%(status)s”. Trang đã hiển thị trạng thái mới nhất, vui lòng "
             "kiểm tra lại trước khi thao tác tiếp.") % {
        "service": leg.get_service_display(), "code": leg.dossier.code, "status": leg.get_status_display()}


def _first_message(exc: DomainError) -> str:
    return " ".join(m for msgs in exc.errors.values() for m in msgs)


# --- counter ------------------------------------------------------------------
@access.staff_required
@require_http_methods(["GET", "POST"])
def counter(request: access.SignedInRequest) -> HttpResponse:
    """Intake on behalf of a citizen: both bundles, live preview, attachments."""
    unit = _counter_unit(request)
    bundle = request.POST.get("bundle") or request.GET.get("bundle") or Bundle.BIRTH
    if bundle not in Bundle.values:
        bundle = Bundle.BIRTH
    if request.method == "POST" and "find_commune" in request.POST:
        # Without JavaScript: the commune search step redraws the page with
        # what was typed and the communes whose name matches.
        form = f.CounterForm(initial=f.CounterForm.initial_from_post(request.POST), bundle=bundle,
                             unit_code=unit.code, commune_search=(request.POST.get("commune_q") or "")[:100])
        status = 200
    elif request.method == "POST":
        form = f.CounterForm(request.POST, bundle=bundle, unit_code=unit.code)
        if form.is_valid():
            try:
                dossier = services.dossier_submit(data=form.payload(), user=request.user,
                                                  files=request.FILES.getlist("attachments"))
            except DomainError as exc:
                form.add_domain_errors(exc.errors)
            else:
                messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
                return redirect("staff:receipt", code=dossier.code)
        else:
            # A mistyped date does not hide the rest: the engine's verdict on
            # everything that parsed comes in the same round.
            form.add_domain_errors(services.dossier_preview(data=form.payload(partial=True),
                                                            user=request.user)["errors"])
        status = 400
    else:
        form = f.CounterForm(bundle=bundle, unit_code=unit.code)
        status = 200
    return render(request, "staff/counter.html", {"form": form, "unit": unit, "bundles": Bundle.choices,
                                                  "labels": _field_labels()}, status=status)


@access.staff_required
@require_GET
def communes(request: access.SignedInRequest) -> HttpResponse:
    """The counter's commune <option>s (htmx, while the clerk types a name):
    those whose name contains ?commune_q= with or without diacritics, else
    the communes of the user's province with the user's own selected."""
    own = request.user.unit.code if request.user.unit else ""
    search = (request.GET.get("commune_q") or "").strip()[:100]
    return render(request, "staff/_commune_options.html", {
        "choices": f.commune_choices(search, unit_code=own, keep=own), "selected": "" if search else own})


@access.staff_required
@require_POST
def counter_preview(request: access.SignedInRequest) -> HttpResponse:
    """Live feedback while the clerk types (htmx): legs, refusals, deadlines."""
    unit = _counter_unit(request)
    form = f.CounterForm(request.POST, bundle=request.POST.get("bundle") or Bundle.BIRTH, unit_code=unit.code)
    data = form.payload(partial=True, preview=True)
    try:
        preview = services.dossier_preview(data=data, user=request.user)
    except DomainError as exc:
        preview = {"legs": [], "due_at": None, "errors": exc.errors, "verdicts": []}
    # The same merge as a refused submit: the form's parsing messages, the
    # engine's on the rest, one per field, in the order of the form.
    form.add_domain_errors(preview.get("errors") or {})
    errors = [("", list(form.non_field_errors()))] if form.non_field_errors() else []
    errors += [(str(form[name].label), list(form.errors[name])) for name in form.fields if name in form.errors]
    return render(request, "staff/_preview.html", {"preview": _preview_display(preview), "errors": errors})


def _get(item: Any, key: str, default: Any = None) -> Any:
    return item.get(key, default) if isinstance(item, dict) else getattr(item, key, default)


def _when(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) else value


def _preview_display(preview: dict[str, Any]) -> dict[str, Any]:
    """Labels for the codes the preview answers with (no decisions here)."""
    services, agencies = dict(Service.choices), dict(AgencyKind.choices)
    legs = [{"service": _get(leg, "service"), "service_label": services.get(_get(leg, "service"), _get(leg, "service")),
             "agency_label": agencies.get(_get(leg, "agency"), _get(leg, "agency")),
             "depends_on_label": services.get(_get(leg, "depends_on"), _get(leg, "depends_on")),
             "depends_on": _get(leg, "depends_on"), "automatic": _get(leg, "automatic", False),
             "due_at": _when(_get(leg, "due_at")), "deadline_days": _get(leg, "deadline_days")}
            for leg in preview.get("legs") or []]
    verdicts = [{"service": _get(v, "service"), "label": services.get(_get(v, "service"), _get(v, "service")),
                 "offered": _get(v, "offered"), "reason": _get(v, "reason", ""), "citation": _get(v, "citation", "")}
                for v in preview.get("verdicts") or []]
    return {"legs": legs, "verdicts": verdicts, "due_at": _when(preview.get("due_at")),
            "notices": preview.get("notices") or []}


def _field_labels() -> dict[str, str]:
    """Dotted domain-error keys → the counter form's labels."""
    labels = {name.replace("__", "."): str(field.label) for name, field in f.CounterForm.base_fields.items()}
    labels["subject.full_name"] = _("Họ và tên người được đăng ký")
    labels["unit"] = _("Đơn vị tiếp nhận")
    labels["attachments"] = _("Giấy tờ kèm theo")
    labels["subject.residence"] = _("Nơi thường trú")
    labels["subject.mother"] = _("Thông tin người mẹ")
    labels["subject.father"] = _("Thông tin người cha")
    labels["applicant"] = _("Người nộp hồ sơ")
    labels["subject"] = _("Người được đăng ký")
    return labels


@access.staff_required
@require_GET
def receipt(request: access.SignedInRequest, code: str) -> HttpResponse:
    """Phiếu hẹn trả kết quả: the same document as its PDF (one template,
    the same summary, the same QR code), as a printable page; until the
    worker has issued the PDF, the page shows the slip without the QR and
    polls."""
    dossier = access.get_dossier_or_404(request.user, code)
    # The slip prints the subject's personal ID (whole for those who may act):
    # an opening like the dossier page's (docs/domain.md §2).
    services.dossier_view_record(user=request.user, dossier=dossier,
                                 full_data=access.can_act_on_dossier(request.user, dossier))
    slip = dossier.documents.filter(kind=Document.Kind.APPOINTMENT_SLIP).exclude(sha256="").exclude(file="").first()
    verify_url = documents.verification_url(slip) if slip else ""
    with translation.override("vi"):  # the document is in Vietnamese, as its PDF
        summary = slip.summary if slip and slip.summary else documents.summary_build(
            dossier, Document.Kind.APPOINTMENT_SLIP, issued_at=timezone.now())
        return render(request, f"documents/{Document.Kind.APPOINTMENT_SLIP}.html", {
            "doc": summary, "verify_url": verify_url, "qr": documents.qr_svg_data_uri(verify_url) if slip else "",
            "signed": documents.signing_configured(), "web": True, "toolbar": "staff/_receipt_toolbar.html",
            "dossier": dossier, "slip": slip,
            "poll_url": "" if slip else reverse("staff:receipt", args=[dossier.code]),
        })


# --- dossier list ---------------------------------------------------------------
@access.staff_required
@require_GET
def dossier_list(request: access.SignedInRequest) -> HttpResponse:
    form = f.DossierFilterForm(request.GET)
    qs = selectors.dossier_list(user=request.user, **form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": pager_query(request), "now": timezone.now(),
               "can_return": access.can_use_counter(request.user)}
    template = "staff/_dossier_rows.html" if request.htmx and not request.htmx.boosted else "staff/dossiers.html"
    return render(request, template, context)


@access.staff_required
@require_POST
def dossier_returned(request: access.SignedInRequest, code: str) -> HttpResponse:
    """The clerk handed the results to the citizen, who may rate the handling."""
    access.get_dossier_or_404(request.user, code)
    form = f.ReturnForm(request.POST)
    form.is_valid()  # parses only: the service checks the rating
    try:
        services.dossier_mark_returned(code=code, user=request.user, rating=form.cleaned_data.get("rating", ""),
                                       comment=form.cleaned_data.get("comment", ""))
    except DomainError as exc:
        form.add_domain_errors({"rating" if key == "level" else key: msgs for key, msgs in exc.errors.items()})
        return _dossier_page(request, code, return_form=form, status=exc.status_code)
    messages.success(request, _("Đã ghi nhận trả kết quả hồ sơ %(code)s cho công dân.") % {"code": code})
    return redirect("staff:dossier", code=code)


# --- dossier page -----------------------------------------------------------------
def _pid(request: access.SignedInRequest, dossier: Dossier, value: str) -> str:
    if not value or access.can_act_on_dossier(request.user, dossier):
        return value
    return access.mask_personal_id(value)


# The coded answers of the applicant and subject, shown by their label.
CHOICE_DISPLAY: dict[str, type[TextChoices]] = {
    "sex": vocabulary.Sex, "relationship": vocabulary.Relationship, "special_case": vocabulary.SpecialCase,
    "household_type": vocabulary.HouseholdType, "benefit_category": vocabulary.BenefitCategory,
}


def _describe(request: access.SignedInRequest, dossier: Dossier, prefix: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the applicant or subject, personal IDs masked
    for read-only viewers."""
    labels = _field_labels()
    rows: list[tuple[str, str]] = []

    def walk(path: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
            return
        if value in (None, ""):
            return
        key = path.rsplit(".", 1)[-1]
        if key in ("personal_id",) and isinstance(value, str):
            shown = _pid(request, dossier, value)
        elif isinstance(value, bool):
            shown = _("Có") if value else _("Không")
        elif key in CHOICE_DISPLAY:
            shown = vocabulary.label(CHOICE_DISPLAY[key], str(value))
        elif key.startswith("date_") and isinstance(value, str):
            shown = formatting.day(value)
        else:
            shown = str(value)
        rows.append((labels.get(path, key), shown))

    walk(prefix, data or {})
    # In the order of the counter form, whatever order the JSON has.
    order = {label: i for i, label in enumerate(labels.values())}
    rows.sort(key=lambda row: order.get(row[0], len(order)))
    return rows


# Result keys a service may add beyond its own form (results.result_build).
RESULT_LABELS = {
    "personal_id": gettext_lazy("Số định danh cá nhân"), "card_number": gettext_lazy("Mã thẻ BHYT"),
    "amount": gettext_lazy("Số tiền (đồng)"), "decision_number": gettext_lazy("Số quyết định"),
    "registration_number": gettext_lazy("Số đăng ký"), "book": gettext_lazy("Quyển số"),
    "extract_number": gettext_lazy("Số trích lục khai tử"), "confirmation_number": gettext_lazy("Số văn bản xác nhận"),
    "note": gettext_lazy("Ghi chú"),
}


def _result_rows(leg: Leg, request: access.SignedInRequest | None = None) -> list[tuple[str, str]]:
    """The leg's result with the result form's labels; amounts as money;
    personal IDs masked for read-only viewers (given the request)."""
    fields = f.RESULT_FORMS.get(leg.service, f.ResultForm).base_fields
    rows = []
    for key, value in (leg.result or {}).items():
        if value in (None, "") or isinstance(value, (dict, list)):
            continue
        if key == "amount" and isinstance(value, int):
            value = formatting.money(value)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = formatting.day(value)
        elif key == "personal_id" and request is not None:
            value = _pid(request, leg.dossier, str(value))
        label = fields[key].label if key in fields else RESULT_LABELS.get(key, key)
        rows.append((str(label), str(value)))
    return rows


@access.staff_required
@require_GET
def dossier_detail(request: access.SignedInRequest, code: str) -> HttpResponse:
    return _dossier_page(request, code)


def _dossier_page(request: access.SignedInRequest, code: str, supplement_form: f.CounterSupplementForm | None = None,
                  withdraw_form: f.WithdrawForm | None = None, return_form: f.ReturnForm | None = None,
                  status: int = 200) -> HttpResponse:
    dossier = selectors.dossier_for_display(user=request.user, code=code)
    services.dossier_view_record(user=request.user, dossier=dossier, full_data=dossier.full_data)
    can_act, legs = dossier.full_data, dossier.leg_list  # decided and read by dossier_for_display
    at_counter = access.can_act_at_counter(request.user, dossier)
    workable = set(access.workable_legs(request.user).filter(dossier=dossier).values_list("pk", flat=True))
    for leg in legs:
        leg.result_rows = _result_rows(leg)
    timeline = list(selectors.dossier_timeline(dossier))
    for t in timeline:
        states = dict(LegStatus.choices) if t.leg_id else dict(DossierStatus.choices)
        t.from_state_label = str(states.get(t.from_state, t.from_state))
        t.to_state_label = str(states.get(t.to_state, t.to_state))
    return render(request, "staff/dossier.html", {
        "dossier": dossier, "legs": legs, "workable": workable, "can_act": can_act, "timeline": timeline,
        "applicant": _describe(request, dossier, "applicant", dossier.applicant),
        "subject": _describe(request, dossier, "subject", dossier.subject),
        "documents": dossier.documents.exclude(file="").order_by("created_at"),
        "attachments": dossier.attachments.order_by("uploaded_at"),
        "can_return": at_counter,
        "can_supplement": at_counter
        and any(leg.status == LegStatus.AWAITING_SUPPLEMENT for leg in legs),
        "supplement_form": supplement_form or f.CounterSupplementForm(),
        # Offered while the dossier is open and nothing is completed; the
        # service decides (Conflict otherwise).
        "can_withdraw": at_counter and dossier.closed_at is None
        and not any(leg.status == LegStatus.COMPLETED for leg in legs),
        "withdraw_form": withdraw_form or f.WithdrawForm(),
        "return_form": return_form or f.ReturnForm(),
        "rating": Rating.objects.filter(dossier=dossier).first(),
        "now": timezone.now(),
    }, status=status)


@access.staff_required
@require_POST
def dossier_supplement(request: access.SignedInRequest, code: str) -> HttpResponse:
    """The citizen brought the missing papers to the counter."""
    access.get_dossier_or_404(request.user, code)
    form = f.CounterSupplementForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_supplement(code=code, user=request.user, note=form.cleaned_data["note"],
                                        files=request.FILES.getlist("attachments"))
        except Conflict as exc:
            messages.error(request, _first_message(exc))
            return redirect("staff:dossier", code=code)
        except DomainError as exc:
            form.add_domain_errors(exc.errors)
        else:
            messages.success(request, _("Đã nhận hồ sơ bổ sung; các thủ tục tiếp tục được giải quyết."))
            return redirect("staff:dossier", code=code)
    return _dossier_page(request, code, supplement_form=form, status=400)


@access.staff_required
@require_POST
def dossier_withdraw(request: access.SignedInRequest, code: str) -> HttpResponse:
    """The citizen takes the dossier back before any result exists."""
    access.get_dossier_or_404(request.user, code)
    form = f.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_withdraw(code=code, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, _first_message(exc))
        else:
            messages.success(request, _("Đã ghi nhận công dân rút hồ sơ %(code)s.") % {"code": code})
        return redirect("staff:dossier", code=code)
    return _dossier_page(request, code, withdraw_form=form, status=400)


@access.staff_required
@require_GET
def attachment_download(request: access.SignedInRequest, code: str, pk: int) -> FileResponse:
    """Attachments are never public media: served after the access check."""
    dossier = access.get_dossier_or_404(request.user, code)
    attachment = dossier.attachments.filter(pk=pk).first()
    if attachment is None or not attachment.file:
        raise Http404
    # A download, never rendered in the portal's origin (only the PDFs the
    # portal issued itself are shown inline).
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type or None)


@access.staff_required
@require_GET
def document_download(request: access.SignedInRequest, code: str, pk: int) -> FileResponse:
    dossier = access.get_dossier_or_404(request.user, code)
    document = dossier.documents.filter(pk=pk).exclude(file="").first()
    if document is None:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=False,
                        filename=f"{document.kind}-{dossier.code}.pdf", content_type="application/pdf")


# --- agency work queue ------------------------------------------------------------
QUEUE_TABS = [LegStatus.PENDING, LegStatus.IN_PROGRESS, LegStatus.AWAITING_SUPPLEMENT, LegStatus.WAITING,
              LegStatus.COMPLETED, LegStatus.REJECTED]
OPEN_TABS = (LegStatus.PENDING, LegStatus.IN_PROGRESS, LegStatus.AWAITING_SUPPLEMENT)


@access.staff_required
@require_GET
def queue(request: access.SignedInRequest) -> HttpResponse:
    """The legs of the officer's agency and jurisdiction, soonest due first."""
    status = request.GET.get("status") or "open"
    service = request.GET.get("service") or None
    if service not in Service.values:
        service = None
    search = (request.GET.get("q") or "").strip()[:100]
    if status == "open":
        qs = selectors.leg_queue(user=request.user, service=service, search=search).filter(status__in=OPEN_TABS)
    elif status in LegStatus.values:
        qs = selectors.leg_queue(user=request.user, status=status, service=service, search=search)
    else:
        raise Http404
    tabs = _queue_tabs(request.user)
    page = Paginator(qs.select_related("dossier", "dossier__scope_unit"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    services_of_agency = [(str(s), s.label) for s in Service]
    return render(request, "staff/queue.html", {"page": page, "tabs": tabs, "status": status,
                                                "query": pager_query(request),
                                                "service": service, "services": services_of_agency,
                                                "search": search, "now": timezone.now()})


def _queue_tabs(user) -> list[tuple[str, StrOrPromise, int]]:
    counts = selectors.leg_counts(user=user)
    tabs = [("open", _("Cần xử lý"), sum(counts.get(s, 0) for s in OPEN_TABS))]
    return tabs + [(str(s), s.label, counts.get(str(s), 0)) for s in QUEUE_TABS]


def _leg_context(request: access.SignedInRequest, leg: Leg, **forms: Any) -> dict[str, Any]:
    reasons = rules.rejection_reasons(leg.service)
    result_form_class = f.RESULT_FORMS.get(leg.service, f.ResultForm)
    suggested_amount = None
    died = (leg.dossier.subject or {}).get("date_of_death")
    if leg.service in (Service.FUNERAL_ALLOWANCE, Service.FUNERAL_SUPPORT) and died:
        # What the portal fills in when the amount is left empty (rule table).
        suggested_amount = formatting.money(rules.funeral_amount(leg.service, date.fromisoformat(died)))
    dossier = leg.dossier
    siblings = list(dossier.legs.exclude(pk=leg.pk).prefetch_related("documents").order_by("id"))
    for other in [leg, *siblings]:
        # What earlier legs issued is what this one works from (the police
        # and social insurance need the child's personal ID).
        other.result_rows = _result_rows(other, request=request)
    attachments = list(dossier.attachments.order_by("uploaded_at", "id"))
    return {
        "leg": leg, "dossier": dossier, "now": timezone.now(), "suggested_amount": suggested_amount,
        "subject": _describe(request, dossier, "subject", dossier.subject),
        "supplement_form": forms.get("supplement_form") or f.SupplementRequestForm(),
        "reject_form": forms.get("reject_form") or f.RejectForm(reasons=reasons),
        "result_form": forms.get("result_form") or result_form_class(),
        "siblings": siblings,
        "attachments": [a for a in attachments if a.kind != "supplement"],
        "supplements": _supplement_history(leg, attachments),
        "documents": [d for d in leg.documents.all() if d.file],
        # The reason says why the leg is where it is: once a supplement
        # request is answered it is history (in the exchanges), not news.
        "current_reason": leg.reason if leg.status in (LegStatus.AWAITING_SUPPLEMENT, LegStatus.REJECTED,
                                                        LegStatus.CANCELLED) else "",
    }


def _supplement_history(leg: Leg, attachments: list[Any]) -> list[dict[str, Any]]:
    """The officer's supplement requests and the citizen's replies, oldest
    first; each reply with the files it brought."""
    steps = list(leg.transitions.filter(action__in=("request_supplement", "supplement")).order_by("at", "id"))
    replies = [a for a in attachments if a.kind == "supplement"]
    rows = []
    for i, step in enumerate(steps):
        # A reply's files are saved in the reply's transaction, just after
        # its transition's instant and before the next step.
        until = steps[i + 1].at if i + 1 < len(steps) else None
        files = [a for a in replies if a.uploaded_at >= step.at and (until is None or a.uploaded_at < until)] \
            if step.action == "supplement" else []
        rows.append({"request": step.action == "request_supplement", "at": step.at, "text": step.reason,
                     "files": files})
    return rows


@access.staff_required
@require_GET
def leg_detail(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    leg = access.get_leg_or_404(request.user, leg_id)
    # The leg page shows the subject's personal IDs whole: logged as an opening.
    services.dossier_view_record(user=request.user, dossier=leg.dossier,
                                 full_data=access.can_act_on_dossier(request.user, leg.dossier))
    return render(request, "staff/leg.html", _leg_context(request, leg))


def _row(request: access.SignedInRequest, leg: Leg, notice: str, *, error: bool = False) -> HttpResponse:
    """A queue row after an action, and the status counts (out of band)."""
    status = request.POST.get("tab") or "open"
    return render(request, "staff/_queue_row.html", {
        "leg": leg, "now": timezone.now(), "notice": notice, "notice_error": error, "oob_tabs": True,
        "tabs": _queue_tabs(request.user), "status": status})


def _after_action(request: access.SignedInRequest, leg: Leg, message: str) -> HttpResponse:
    """htmx (from a queue row): the fresh row; otherwise back to the queue."""
    if request.htmx:
        return _row(request, leg, message)
    messages.success(request, message)
    return redirect(safe_next(request, reverse("staff:leg", args=[leg.pk])))


def _lost_race(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    """Someone else changed the leg first: say so and show what it is now."""
    leg = access.get_leg_or_404(request.user, leg_id)
    message = _conflict_message(leg)
    if request.htmx:
        return _row(request, leg, message, error=True)
    messages.error(request, message)
    return render(request, "staff/leg.html", _leg_context(request, leg), status=409)


@access.staff_required
@require_POST
def leg_accept(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    access.get_leg_or_404(request.user, leg_id)
    try:
        leg = services.leg_accept(leg_id=leg_id, user=request.user)
    except Conflict:
        return _lost_race(request, leg_id)
    return _after_action(request, leg, _("Đã tiếp nhận thủ tục “%(service)s” của hồ sơ %(code)s.") % {
        "service": leg.get_service_display(), "code": leg.dossier.code})


@access.staff_required
@require_POST
def leg_request_supplement(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    leg = access.get_leg_or_404(request.user, leg_id)
    form = f.SupplementRequestForm(request.POST)
    if form.is_valid():
        try:
            leg = services.leg_request_supplement(leg_id=leg_id, user=request.user,
                                                  reason=form.cleaned_data["reason"])
        except Conflict:
            return _lost_race(request, leg_id)
        except DomainError as exc:
            form.add_domain_errors(exc.errors)
        else:
            return _after_action(request, leg, _("Đã yêu cầu bổ sung hồ sơ %(code)s.") % {"code": leg.dossier.code})
    return render(request, "staff/leg.html", _leg_context(request, leg, supplement_form=form), status=400)


@access.staff_required
@require_POST
def leg_complete(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    leg = access.get_leg_or_404(request.user, leg_id)
    form = f.RESULT_FORMS.get(leg.service, f.ResultForm)(request.POST)
    if form.is_valid():
        try:
            leg = services.leg_complete(leg_id=leg_id, user=request.user, result=form.result() or None)
        except Conflict:
            return _lost_race(request, leg_id)
        except DomainError as exc:
            form.add_domain_errors(exc.errors)
        else:
            return _after_action(request, leg, _("Đã hoàn thành thủ tục “%(service)s” của hồ sơ %(code)s.") % {
                "service": leg.get_service_display(), "code": leg.dossier.code})
    return render(request, "staff/leg.html", _leg_context(request, leg, result_form=form), status=400)


@access.staff_required
@require_POST
def leg_reject(request: access.SignedInRequest, leg_id: int) -> HttpResponse:
    leg = access.get_leg_or_404(request.user, leg_id)
    form = f.RejectForm(request.POST, reasons=rules.rejection_reasons(leg.service))
    if form.is_valid():
        try:
            leg = services.leg_reject(leg_id=leg_id, user=request.user, reason=form.reason())
        except Conflict:
            return _lost_race(request, leg_id)
        except DomainError as exc:
            form.add_domain_errors(exc.errors)
        else:
            return _after_action(request, leg, _("Đã từ chối thủ tục “%(service)s” của hồ sơ %(code)s.") % {
                "service": leg.get_service_display(), "code": leg.dossier.code})
    return render(request, "staff/leg.html", _leg_context(request, leg, reject_form=form), status=400)
