"""Celery tasks that render and store issued PDF documents (WeasyPrint runs
in a worker, never in a request)."""
from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=10)
def render_document(self, dossier_id: int, kind: str) -> int | None:
    """Render (or re-render idempotently) the document `kind` of a dossier;
    returns the Document id. Filled in by the e-documents work (issue 5)."""
    return None
