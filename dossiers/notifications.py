"""Messages to applicants: email through Django's email backend, SMS through
a pluggable backend (settings.SMS_BACKEND; the default writes to the log).

One `Notification` row per transition and channel (a unique constraint), so a
task delivered twice sends nothing twice.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lienthong import formatting, links
from lienthong.text import sms_text

logger = logging.getLogger("lienthong.sms")


class LogSmsBackend:
    """Development and test backend: the message goes to the log."""

    def send(self, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", to, body)


def send_sms(to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to, body)


def send_email(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def dossier_link(dossier) -> str:
    """Where the applicant follows the dossier: their own page when they
    filed it with an account, else the public tracking page (code + phone)."""
    from agencies import access

    try:
        if dossier.submitted_by_id and access.is_citizen(dossier.submitted_by):
            path = reverse("citizen:dossier", kwargs={"code": dossier.code})
        else:
            path = reverse("citizen:track")
    except NoReverseMatch:
        path = "/tra-cuu/"
    return links.absolute_url(path)


def _fmt(moment) -> str:
    return formatting.moment(moment)


# Which transitions tell the applicant, and how. One SMS per moment the
# applicant acts on: the dossier was received (its code, to follow it), a
# supplement is needed, the result is ready or refused. Each SMS is one GSM-7
# segment without diacritics (the cheapest message Vietnamese operators
# sell). E-mail, with full diacritics, records every step the applicant may
# want to keep: each agency's result or refusal, the hand-over to the next
# agency, the supplement received, a withdrawal, the results handed over. Not
# e-mailed: an agency accepting its leg and the dossier starting (internal
# handling, nothing to do or keep) and leg rows created with the dossier.
EMAIL, SMS = "email", "sms"
DOSSIER_CHANNELS: dict[str, tuple[str, ...]] = {
    "submit": (EMAIL, SMS),
    "complete": (EMAIL, SMS),
    "complete_partially": (EMAIL, SMS),
    "reject": (EMAIL, SMS),
    "withdraw": (EMAIL,),
    "return": (EMAIL,),
}
LEG_CHANNELS: dict[str, tuple[str, ...]] = {
    "request_supplement": (EMAIL, SMS),
    "supplement": (EMAIL,),
    "open": (EMAIL,),
    "complete": (EMAIL,),
    "reject": (EMAIL,),
    "expire": (EMAIL,),
    "cancel": (EMAIL,),
}
# A reason is repeated to the applicant only when an agency or the system
# wrote it; the applicant's own words (a supplement note, a withdrawal
# reason) are never echoed back as a "reason".
AGENCY_REASONS = frozenset({"request_supplement", "reject", "expire", "cancel", "complete"})


def channels(action: str, *, on_leg: bool) -> tuple[str, ...]:
    """The channels a transition is told on (none: no message at all)."""
    return (LEG_CHANNELS if on_leg else DOSSIER_CHANNELS).get(action, ())


def _sms(transition, link: str) -> str:
    """The SMS of the transitions that have one (else "")."""
    dossier = transition.dossier
    code = dossier.code
    if transition.leg_id is None:
        if transition.action == "submit":
            line = _("Hồ sơ %(code)s đã được tiếp nhận. Hẹn trả kết quả: %(due)s.") % {
                "code": code, "due": formatting.day(dossier.due_at)}
        elif transition.action in ("complete", "complete_partially"):
            line = _("Hồ sơ %(code)s đã có kết quả.") % {"code": code}
        elif transition.action == "reject":
            line = _("Hồ sơ %(code)s không được giải quyết.") % {"code": code}
        else:
            return ""
    elif transition.action == "request_supplement":
        leg = transition.leg
        line = _("Hồ sơ %(code)s cần bổ sung giấy tờ trước %(due)s.") % {
            "code": code, "due": formatting.day(leg.supplement_due_at)}
    else:
        return ""
    return sms_text(line, _("Chi tiết:"), optional=link)


def transition_message(transition) -> tuple[str, str, str]:
    """(email subject, email body, SMS body): the e-mail in Vietnamese with
    its diacritics, the SMS one GSM-7 segment ("" when the transition sends none)."""
    from dossiers.models import DossierStatus, LegStatus, Service

    dossier = transition.dossier
    link = dossier_link(dossier)
    if transition.leg_id is None:
        state = DossierStatus(transition.to_state).label
        if transition.action == "submit":
            line = _("Hồ sơ %(code)s đã được tiếp nhận lúc %(at)s. Hạn trả kết quả: %(due)s.") % {
                "code": dossier.code, "at": _fmt(transition.at), "due": _fmt(dossier.due_at)}
        elif transition.action == "return":
            line = _("Kết quả hồ sơ %(code)s đã được trả cho người nộp.") % {"code": dossier.code}
        else:
            line = _("Hồ sơ %(code)s chuyển sang trạng thái: %(state)s.") % {"code": dossier.code, "state": state}
    else:
        leg = transition.leg
        state = LegStatus(transition.to_state).label
        if transition.action == "open":
            from agencies.models import AgencyKind

            line = _("Thủ tục %(service)s của hồ sơ %(code)s đã được chuyển đến %(agency)s.") % {
                "service": Service(leg.service).label, "code": dossier.code, "agency": AgencyKind(leg.agency).label}
        else:
            line = _("Thủ tục %(service)s của hồ sơ %(code)s: %(state)s.") % {
                "service": Service(leg.service).label, "code": dossier.code, "state": state}
        if transition.action == "request_supplement" and leg.supplement_due_at:
            line += " " + _("Vui lòng bổ sung trước %(due)s.") % {"due": _fmt(leg.supplement_due_at)}
    if transition.reason and transition.action in AGENCY_REASONS:
        line += " " + _("Lý do: %(reason)s") % {"reason": transition.reason}
    subject = _("[Liên thông] Hồ sơ %(code)s: %(state)s") % {"code": dossier.code, "state": state}
    body = "\n\n".join([
        _("Kính gửi %(name)s,") % {"name": dossier.applicant_name},
        line,
        _("Theo dõi hồ sơ %(code)s tại: %(link)s") % {"code": dossier.code, "link": link},
        _("Cổng dịch vụ công liên thông khai sinh, khai tử."),
    ])
    return subject, body, _sms(transition, link)


def _transition_rows(transition) -> list:
    """The Notification rows of one transition (created unsent when missing)."""
    from dossiers.models import Notification

    dossier = transition.dossier
    with translation.override(settings.LANGUAGE_CODE):
        subject, body, sms = transition_message(transition)
    rows = []
    wanted = channels(transition.action, on_leg=transition.leg_id is not None)
    for channel, recipient in ((Notification.Channel.EMAIL, dossier.applicant_email),
                               (Notification.Channel.SMS, dossier.applicant_phone)):
        if not recipient or channel not in wanted or (channel == Notification.Channel.SMS and not sms):
            continue
        try:
            with transaction.atomic():
                note, _created = Notification.objects.get_or_create(
                    transition=transition, channel=channel,
                    defaults={"dossier": dossier, "recipient": recipient, "subject": subject,
                              "body": body if channel == Notification.Channel.EMAIL else sms})
        except IntegrityError:
            note = Notification.objects.get(transition=transition, channel=channel)
        rows.append(note)
    return rows


def _transition_get(transition_id: int):
    from dossiers.models import Transition

    return (Transition.objects.select_related("dossier__submitted_by", "leg")
            .filter(pk=transition_id).first())


def transition_outbox(*, transition_id: int) -> int:
    """The broker could not take the task: keep the messages in the database,
    unsent, for the sweep to send. Returns how many rows exist."""
    transition = _transition_get(transition_id)
    return len(_transition_rows(transition)) if transition is not None else 0


def transition_notify(*, transition_id: int) -> int:
    """Send the messages of one transition; returns how many were sent now."""
    from dossiers.models import Notification

    transition = _transition_get(transition_id)
    if transition is None:
        return 0
    sent = 0
    for note in _transition_rows(transition):
        channel, recipient = note.channel, note.recipient
        # Claim the message with a conditional update: of two deliveries of
        # this task, only one sends it.
        if not Notification.objects.filter(pk=note.pk, sent_at=None).update(sent_at=timezone.now()):
            continue
        try:
            if channel == Notification.Channel.EMAIL:
                send_email(recipient, note.subject, note.body)
            else:
                send_sms(recipient, note.body)
        except Exception:
            # Release the claim so the retry sends it.
            Notification.objects.filter(pk=note.pk).update(sent_at=None)
            raise
        sent += 1
    return sent
