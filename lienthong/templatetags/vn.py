"""`{% load vn %}`: dates, times and money the Vietnamese way, the same as
the PDFs and messages write them (`lienthong.formatting`).

    {{ dossier.submitted_at|ngay_gio }}  09:30 15/07/2024
    {{ leg.due_at|ngay }}               15/07/2024
    {{ leg.due_at|gio }}                17:00
    {{ amount|tien }}                   2.340.000 ₫
"""
from __future__ import annotations

from django import template

from lienthong import formatting

register = template.Library()
register.filter("ngay", formatting.day)
register.filter("ngay_gio", formatting.moment)
register.filter("gio", formatting.clock)
register.filter("tien", formatting.money)
