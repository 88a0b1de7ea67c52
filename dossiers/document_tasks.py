"""Celery tasks that render and store issued PDF documents (WeasyPrint runs
in a worker, never in a request), on the documents lane."""
from __future__ import annotations

import logging

from lienthong.celery import DOCUMENTS, task

logger = logging.getLogger("lienthong.documents")


@task(lane=DOCUMENTS, name="dossiers.document_tasks.render_document")
def render_document(dossier_id: int, kind: str) -> int | None:
    """Render (or re-render idempotently) the document `kind` of a dossier;
    returns the Document id, or None when there is nothing to render.
    Transient errors are retried by the project's retry policy."""
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
