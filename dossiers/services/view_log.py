"""Who opened a dossier's detail page (docs/domain.md §2): written by the
views that show it, never by the selector that reads it."""
from __future__ import annotations

from agencies.models import User
from dossiers.models import Dossier, DossierView


def dossier_view_record(*, user: User, dossier: Dossier, full_data: bool) -> DossierView:
    """One row per opening: who, when, whether personal IDs were shown whole."""
    return DossierView.objects.create(dossier=dossier, user=user if user.is_authenticated else None,
                                      full_data=full_data)
