"""Writes on dossiers, one module a use case (docs/domain.md §3–§6):

- `submission`: the live preview and the submission itself;
- `officer`: an agency's officer accepts, asks for a supplement, completes or
  rejects a leg;
- `filer`: the citizen or the counter's clerk brings a supplement, withdraws,
  takes the results;
- `fan_out`: the worker opens (or cancels) what waited for a finished leg, and
  the automatic legs;
- `sweep`: the periodic catch-up;
- `rating`: the citizen's satisfaction with the handling, once per dossier;
- `view_log`: the record of who opened a dossier's detail page;
- `retention`: the purge of closed dossiers' attachments and personal details;
- `privacy`: a person's own data and its export, the review of staff access.

What they share (lock order dossier-then-leg, the transition log, queuing side
effects after commit, the roll-up of a dossier from its legs) is written once
in `_core`. Callers use this package: `from dossiers import services`.
"""
from dossiers.services._core import MAX_REASON, NUL_REFUSED, notifications_muted
from dossiers.services.fan_out import dossier_automatic_legs_ensure, leg_fan_out
from dossiers.services.filer import dossier_mark_returned, dossier_supplement, dossier_withdraw
from dossiers.services.officer import leg_accept, leg_complete, leg_reject, leg_request_supplement
from dossiers.services.privacy import personal_data_export
from dossiers.services.rating import RATEABLE_STATES, dossier_rate
from dossiers.services.retention import dossiers_purge
from dossiers.services.submission import dossier_preview, dossier_submit
from dossiers.services.sweep import (
    DOCUMENT_RETRY_AFTER,
    NOTIFY_RETRY_WINDOW,
    dossier_close_if_final,
    dossiers_sweep,
    leg_expire_supplement,
)
from dossiers.services.view_log import dossier_view_record

__all__ = [
    "DOCUMENT_RETRY_AFTER", "MAX_REASON", "NOTIFY_RETRY_WINDOW", "NUL_REFUSED",
    "dossier_automatic_legs_ensure", "dossier_close_if_final", "dossier_mark_returned", "dossier_preview",
    "dossier_rate", "RATEABLE_STATES", "dossier_submit", "dossier_supplement", "dossier_view_record",
    "dossier_withdraw", "dossiers_purge", "dossiers_sweep",
    "leg_accept", "leg_complete", "leg_expire_supplement", "leg_fan_out", "leg_reject", "leg_request_supplement",
    "notifications_muted", "personal_data_export",
]
