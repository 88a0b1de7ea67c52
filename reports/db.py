"""Which database the reports read from.

With REPLICA_DATABASE_URL set (lienthong/settings.py) the report figures
(adoption rate, daily report, dashboard, commune summary) are computed on the
`replica` alias, a streaming replica of the primary; without it on `default`.

The replica may lag the primary by a few seconds. Reports are about past days
and periods, so that does not change their figures; but nothing may read its
own write from it: the daily-report snapshots (written by the beat task, shown
straight after), the outside counts list (shown after an import), every
write-path lookup and every access decision stay on `default`.
"""
from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"


def report_db() -> str:
    """The alias the report figures are read from: `replica` when configured."""
    return REPLICA if REPLICA in settings.DATABASES else DEFAULT_DB_ALIAS
