"""Forms of the difficulty-report pages."""
from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers.models import Service
from lienthong.forms import LabelledForm, date_field


class DifficultyForm(LabelledForm):
    description = forms.CharField(label=_("Nội dung vướng mắc"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    service = forms.ChoiceField(label=_("Thủ tục liên quan"), required=False,
                                choices=[("", _("Chung, không riêng thủ tục nào")), *Service.choices])
    since = date_field(_("Phát sinh từ ngày"), required=True)

    def clean_since(self) -> date:
        value = self.cleaned_data["since"]
        if value > timezone.localdate():
            raise forms.ValidationError(gettext("“Phát sinh từ ngày” không được sau ngày hôm nay."))
        return value


class DifficultyCloseForm(LabelledForm):
    resolution = forms.CharField(label=_("Kết quả xử lý"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class AccessReviewForm(LabelledForm):
    """The days of the unusual-access report (at most MAX_DAYS: one query per
    request, bounded)."""

    MAX_DAYS = 92

    date_from = date_field(_("Từ ngày"))
    date_to = date_field(_("Đến ngày"))

    def clean(self) -> dict:
        data = super().clean() or {}
        today = timezone.localdate()
        last = data.get("date_to") or today
        first = data.get("date_from") or last - timedelta(days=6)
        if first > last:
            self.add_error("date_from", gettext("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        elif (last - first).days >= self.MAX_DAYS:
            self.add_error("date_to", gettext("Khoảng thời gian xem tối đa %(days)s ngày.") % {"days": self.MAX_DAYS})
        data["date_from"], data["date_to"] = first, last
        return data
