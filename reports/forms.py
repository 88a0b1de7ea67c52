"""Forms of the difficulty-report pages."""
from __future__ import annotations

from datetime import date

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
