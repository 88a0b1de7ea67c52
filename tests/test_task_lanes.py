"""Every task names its lane where it is declared, and the router reads that
declaration: no queue is chosen from a task's or a module's name. One retry
policy (lienthong/celery.py) for every task of the project."""
from __future__ import annotations

import pytest

from lienthong import celery as lanes
from lienthong.celery import app
from tests.conftest import TEST_QUEUE

PROJECT_TASKS = {
    "dossiers.tasks.fan_out": lanes.DISPATCH,
    "dossiers.tasks.notify_transition": lanes.DISPATCH,
    "dossiers.tasks.sweep": lanes.DISPATCH,
    "dossiers.tasks.purge_expired_personal_data": lanes.DISPATCH,
    "dossiers.document_tasks.render_document": lanes.DOCUMENTS,
    "reports.tasks.build_daily_report": lanes.REPORTS,
    "reports.tasks.send_daily_report": lanes.REPORTS,
    "reports.tasks.render_report_pdf": lanes.REPORTS,
}


def _queue(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_each_task_runs_in_its_declared_lane_with_the_one_retry_policy():
    app.loader.import_default_modules()
    ours = {name: t for name, t in app.tasks.items() if not name.startswith("celery.")}
    assert set(ours) == set(PROJECT_TASKS)
    for name, lane in PROJECT_TASKS.items():
        t = ours[name]
        assert t.lane == lane, name
        assert _queue(name) == lanes.queue_of(lane, TEST_QUEUE), name
        for option, value in lanes.RETRY_POLICY.items():
            assert getattr(t, option) == value, (name, option)


def test_the_router_follows_the_declaration_not_the_name():
    # Named like a report task, declared for the documents lane (and the other
    # way round): the declaration decides.
    @lanes.task(lane=lanes.DOCUMENTS, name="reports.tasks.lane_probe")
    def lane_probe() -> None:
        return None

    @lanes.task(lane=lanes.REPORTS, name="dossiers.tasks.lane_probe")
    def other_probe() -> None:
        return None

    try:
        assert _queue("reports.tasks.lane_probe") == f"{TEST_QUEUE}.documents"
        assert _queue("dossiers.tasks.lane_probe") == f"{TEST_QUEUE}.reports"
        # Celery's own tasks declare nothing: the dispatch queue.
        assert _queue("celery.chord_unlock") == TEST_QUEUE
    finally:
        app.tasks.pop("reports.tasks.lane_probe", None)
        app.tasks.pop("dossiers.tasks.lane_probe", None)


def test_a_task_without_a_known_lane_is_refused():
    with pytest.raises(ValueError, match="lane"):
        lanes.task(lane="pdf", name="x.y")
