"""The legal basis the page footer names, from the rule table."""
from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone

from dossiers import rules


def legal_basis(request: HttpRequest) -> dict[str, str]:
    try:
        return {"legal_basis": rules.citation("citation.portal", timezone.localdate())}
    except (rules.RuleMissing, DatabaseError):  # a fresh database: the footer goes without it
        return {"legal_basis": ""}
