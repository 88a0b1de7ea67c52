"""Celery tasks that render and store issued PDF documents (WeasyPrint runs
in a worker, never in a request)."""
from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("lienthong.documents")


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=10)
def render_document(self, dossier_id: int, kind: str) -> int | None:
    """Render (or re-render idempotently) the document `kind` of a dossier;
    returns the Document id, or None when there is nothing to render."""
    from dossiers.documents import DocumentNotReady, document_issue
    from dossiers.models import Dossier

    try:
        return document_issue(dossier_id=dossier_id, kind=kind).pk
    except Dossier.DoesNotExist:
        # Deleted since it was queued (or a test database flushed): nothing to do.
        logger.warning("render_document: no dossier %s", dossier_id)
        return None
    except DocumentNotReady as exc:
        # Queued before the result existed: the engine queues it again on completion.
        logger.warning("render_document: %s", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - retried with backoff, then raised
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc
