"""What every form of the portal's pages shares: messages that name their
field, dd/mm/yyyy date boxes, and the mapping of the engine's field errors
(dotted paths) onto form fields."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext

from lienthong.formatting import DATE_FORMAT, DATE_INPUT_FORMATS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def name_errors(form: forms.Form) -> None:
    """Django's stock messages ("Trường này là bắt buộc.") do not say which
    field; at a busy counter the summary at the top must, so every message
    carries the field's label."""
    for field in form.fields.values():
        label = str(field.label or "")
        field.error_messages["required"] = gettext("Chưa nhập “%(field)s”.") % {"field": label}
        field.error_messages["invalid"] = gettext("“%(field)s” không hợp lệ.") % {"field": label}
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = gettext(
                "“%(field)s” không hợp lệ: nhập ngày theo dạng dd/mm/yyyy.") % {"field": label}
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = gettext(
                "“%(field)s”: lựa chọn không hợp lệ.") % {"field": label}
        if isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = gettext("“%(field)s” phải là một số nguyên.") % {"field": label}
            field.error_messages["min_value"] = gettext("“%(field)s” không được âm.") % {"field": label}


def leave_rules_to_the_engine(form: forms.Form, names: Sequence[str]) -> None:
    """For the fields that become a dossier submission: the form only parses
    (dates, check boxes) and every rule (required, lengths, allowed values) is
    the engine's (`dossiers.validation`), with the engine's message, so the
    counter, the wizard and the API refuse the same input in the same words."""
    for name in names:
        field = form.fields[name]
        field.required = False
        field.validators = []
        for attr in ("max_length", "min_length", "max_value", "min_value"):
            if hasattr(field, attr):
                setattr(field, attr, None)
        if isinstance(field, forms.ChoiceField):
            # Offered choices shape the widget; which values are allowed is
            # the engine's call (Django would refuse in its own words first).
            field.valid_value = lambda value: True  # type: ignore[method-assign]


def date_field(label: StrOrPromise, required: bool = False) -> forms.DateField:
    # A text box, not type=date: the browser's date picker shows the order of
    # its own UI language (mm/dd/yyyy on an English Chrome); clerks type
    # dd/mm/yyyy, as on every paper form.
    return forms.DateField(label=label, required=required, input_formats=DATE_INPUT_FORMATS,
                           widget=forms.DateInput(format=DATE_FORMAT, attrs={
                               "placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                               "maxlength": "10"}))


def text_field(label: StrOrPromise, required: bool = False, max_length: int = 120, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs))


def pid_field(label: StrOrPromise) -> forms.CharField:
    # Structure is checked by dossiers.identifiers through validation; the
    # form only keeps the input to 12 digits' worth of characters.
    return text_field(label, max_length=20, inputmode="numeric", autocomplete="off", pattern="[0-9 ]*")


class LabelledForm(forms.Form):
    """Base: labelled error messages and the mapping of domain errors."""

    # Domain error keys that are not a field of the form go here, with this
    # label, so the clerk still sees where the problem is.
    required_css_class = "required"
    # Leading part of domain error keys to drop ("result." for result forms).
    error_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_errors(self)

    def add_domain_errors(self, errors: Mapping[str, Sequence[str]]) -> None:
        for key, messages in errors.items():
            name = key.removeprefix(self.error_prefix).replace(".", "__")
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                for message in messages:
                    self.add_error(None, message)
