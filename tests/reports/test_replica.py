"""The report figures are read from the `replica` alias when
REPLICA_DATABASE_URL configures it; the writes (snapshots, outside counts),
their read-backs and the access decisions stay on `default`.

There is no second server here. The module adds the alias the way
lienthong/settings.py builds it (the settings file itself is executed with
REPLICA_DATABASE_URL pointing at the test database), as a TEST MIRROR of
`default`, exactly what Django's setup_databases() does for a mirror: a
second connection, of its own, to the same test database. Only this module
has the alias; the rest of the suite reads reports on `default`.

A second connection sees only committed rows, so the tests are transactional.
Replication lag is simulated by holding a REPEATABLE READ snapshot open on the
replica connection: what `default` commits afterwards is invisible there,
like rows a replica has not replayed yet. A read that should go to the
replica and goes to `default` instead shows up in two ways: as a query on
the wrong connection (CaptureQueriesContext) and as figures that include
rows the "replica" cannot see yet.
"""
from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import AdminUnit
from reports import selectors, services
from reports.db import REPLICA, report_db
from reports.models import DailyReport, OutsideCount
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
SETTINGS_FILE = settings.BASE_DIR / "lienthong" / "settings.py"
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]
D = date(2026, 11, 20)  # a Friday in the past, as in test_daily.py
# Tables the figures are computed from (the roll-up view included).
FIGURE_TABLES = re.compile(r'\b(dossiers_dossier|dossiers_leg|reports_outsidecount|reports_difficultyreport|'
                           r'reports_reportsettings|reports_reportrecipient|reports_unitmap)\b')
# The one read of those tables that belongs on default: the dashboard's
# drill-down scope check (is the unit inside the province), an access decision.
SCOPE_CHECK = re.compile(r'"reports_unitmap"\."current_province_id" = .* AND "reports_unitmap"\."unit_id" = ')


def load_settings(**env: str | None) -> dict:
    """Execute lienthong/settings.py afresh with `env` changed, and give back
    its DATABASES."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.DATABASES
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """`replica` for this module: built by the settings file from a
    REPLICA_DATABASE_URL naming the test database, set up as Django sets up a
    TEST MIRROR, removed afterwards."""
    default = connections[DEFAULT_DB_ALIAS].settings_dict  # NAME is the test database's by now
    url = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path="/" + default["NAME"]))
    replica = load_settings(REPLICA_DATABASE_URL=url)[REPLICA]
    assert replica["TEST"] == {"MIRROR": DEFAULT_DB_ALIAS}
    assert connections.settings is settings.DATABASES and REPLICA not in settings.DATABASES
    settings.DATABASES[REPLICA] = replica
    connections.configure_settings(connections.settings)  # Django's defaults for the new entry
    connections[REPLICA].creation.set_as_test_mirror(default)
    assert report_db() == REPLICA
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del settings.DATABASES[REPLICA]


@pytest.fixture(autouse=True)
def committed(transactional_db, settings, tmp_path):
    """Committed rows (a second connection sees nothing else; the suite's
    conftest restores the reference tables after each flush), and the
    snapshots' files in a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


@contextmanager
def replica_lagging() -> Iterator[None]:
    """From here on the replica no longer sees what `default` commits."""
    with transaction.atomic(using=REPLICA):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM dossiers_dossier")  # takes the snapshot
        yield


@contextmanager
def capture() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default:
        yield on_replica, on_default


def sqls(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def figure_reads(ctx: CaptureQueriesContext) -> list[str]:
    return [s for s in sqls(ctx) if s.lstrip().upper().startswith(("SELECT", "WITH")) and FIGURE_TABLES.search(s)
            and not SCOPE_CHECK.search(s)]


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [s for s in sqls(ctx) if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def activity(quang_tri):
    """Births in legacy Quảng Trị (45) and current Quảng Trị (44) communes
    on D, with legs finished on the day and one overdue: a birth + residence
    dossier of Tuesday D − 3 whose residence (due Thursday 17:00) is open."""
    for code, hours in (("19624", 1), ("19624", 2), ("18859", 3)):
        d = f.dossier_make(at=f.vn(D, 8), unit_code=code, services=BIRTH)
        f.leg_to(f.leg_of(d, "birth_registration"), "completed", at=f.vn(D, 8 + hours))
    late = f.dossier_make(at=f.vn(D - timedelta(days=3), 8), unit_code="18859",
                          services=["birth_registration", "residence_registration"])
    f.leg_to(f.leg_of(late, "birth_registration"), "completed", at=f.vn(D - timedelta(days=3), 9))
    f.leg_to(f.leg_of(late, "residence_registration"), "in_progress", at=f.vn(D - timedelta(days=3), 10))
    f.dossier_make(at=f.vn(date(2023, 8, 1)), unit_code="19624", services=BIRTH)  # legacy Triệu Phong, adoption
    OutsideCount.objects.create(unit=f.legacy("19624"), date=date(2023, 8, 2),
                                procedure="residence_registration", count=3)
    return quang_tri


def test_settings_add_the_replica_only_from_the_environment():
    primary = "postgres://app:pw@primary.internal:5432/lienthong"
    without = load_settings(DATABASE_URL=primary, REPLICA_DATABASE_URL=None)
    assert set(without) == {DEFAULT_DB_ALIAS}
    both = load_settings(DATABASE_URL=primary, REPLICA_DATABASE_URL="postgres://ro:pw@replica.internal:5433/lienthong")
    default, replica = both[DEFAULT_DB_ALIAS], both[REPLICA]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.internal", 5433, "ro")
    for key in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "NAME"):
        assert replica[key] == default[key], key
    assert replica["TEST"] == {"MIRROR": DEFAULT_DB_ALIAS}
    with pytest.raises(RuntimeError):  # a replica of the SQLite demo database makes no sense
        load_settings(DATABASE_URL=None, REPLICA_DATABASE_URL="postgres://ro@replica.internal/lienthong")


def test_adoption_report_reads_the_replica_and_lags_with_it(client, viewer, activity):
    client.force_login(viewer)
    query = {"province": "45", "from": "2023-07-20", "to": "2023-10-16", "group_by": "district"}
    with capture() as (on_replica, on_default):
        body = client.get("/api/v1/reports/adoption/", query).json()
    assert (body["total"]["birth_total"], body["total"]["birth_linked"]) == (4, 1)
    assert any("WITH per_unit" in s and "dossiers_dossier" in s for s in sqls(on_replica))
    assert "SET LOCAL jit = off" in sqls(on_replica)
    assert figure_reads(on_default) == []
    assert writes(on_replica) == []

    with replica_lagging():
        f.dossier_make(at=f.vn(date(2023, 8, 3)), unit_code="19624", services=BIRTH)  # committed on default
        lagging = client.get("/api/v1/reports/adoption/", query).json()["total"]
    caught_up = client.get("/api/v1/reports/adoption/", query).json()["total"]
    assert (lagging["birth_total"], lagging["birth_linked"]) == (4, 1)
    assert (caught_up["birth_total"], caught_up["birth_linked"]) == (5, 2)


@pytest.mark.parametrize("url, params", [
    ("/bao-cao/", {"from": "14/11/2026", "to": "20/11/2026"}),
    ("/bao-cao/ty-le-lien-thong/", {"from": "20/07/2023", "to": "16/10/2023", "province": "45"}),
    ("/bao-cao/ty-le-lien-thong/", {"from": "20/07/2023", "to": "16/10/2023", "province": "45", "format": "xlsx"}),
    ("/bao-cao/tong-hop/", {"period": "week", "date": "20/11/2026"}),
    ("/bao-cao/ngay/xem/", {"date": D.isoformat()}),
    ("/api/v1/reports/daily/", {"date": D.isoformat(), "province": "44"}),
], ids=["dashboard", "adoption-page", "adoption-xlsx", "summary", "daily-on-demand", "daily-api-on-demand"])
def test_report_pages_read_figures_on_the_replica_only(client, viewer, activity, url, params):
    client.force_login(viewer)
    with capture() as (on_replica, on_default):
        response = client.get(url, params)
    assert response.status_code == 200
    assert figure_reads(on_replica), "no figure was read on the replica"
    assert figure_reads(on_default) == []
    assert writes(on_replica) == []


def test_dashboard_figures_and_drill_down_come_from_the_replica(client, viewer, activity):
    client.force_login(viewer)
    period = {"from": "14/11/2026", "to": "20/11/2026"}
    with capture() as (on_replica, on_default):
        page = client.get("/bao-cao/", period)
    assert page.status_code == 200
    read = "\n".join(sqls(on_replica))
    for part in ('FROM "dossiers_dossier"', 'FROM "dossiers_leg"', "percentile_cont", "WITH per_unit"):
        assert part in read, part
    assert figure_reads(on_default) == []

    # a legacy district of the province: figures on the replica, the scope check on default
    trieu_phong = AdminUnit.objects.get(map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.DISTRICT, code="469")
    with capture() as (on_replica, on_default):
        page = client.get("/bao-cao/", {**period, "unit": trieu_phong.pk})
    assert page.status_code == 200 and "Xã Triệu Phong" in page.content.decode()
    assert any('"reports_unitmap"."legacy_district_id"' in s for s in sqls(on_replica))
    assert any(SCOPE_CHECK.search(s) for s in sqls(on_default))
    assert figure_reads(on_default) == []
    hanoi_district = AdminUnit.objects.get(map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.DISTRICT, code="001")
    assert client.get("/bao-cao/", {"unit": hanoi_district.pk}).status_code == 404


def test_daily_snapshot_is_built_from_the_replica_written_and_read_back_on_default(client, viewer, activity):
    client.force_login(viewer)
    with capture() as (on_replica, on_default), replica_lagging():
        assert activity.pk in selectors.provinces_for_daily_report(D)
        report = services.daily_report_create(province=activity, day=D)
        # the replica has not got the snapshot yet: everything that shows it reads default
        api = client.get("/api/v1/reports/daily/", {"date": D.isoformat(), "province": "44"}).json()
        listing = client.get("/bao-cao/ngay/").content.decode()
        detail = client.get(f"/bao-cao/ngay/{report.pk}/")
        preview = client.get("/bao-cao/ngay/xem/", {"date": D.isoformat()})
    assert api["snapshot"] is True and api["total"] == report.data["total"]
    # received: the legs of D's three dossiers, three each (the engine makes
    # every leg at filing); overdue: the residence of D − 3 and the 2023
    # dossier's birth leg, due 1/8/2023 17:00 and never worked on
    assert report.data["total"]["received"] == 9 and report.data["total"]["overdue"] == 2
    assert "20/11/2026" in listing and detail.status_code == 200
    assert preview.status_code == 302 and preview["Location"].endswith(f"/bao-cao/ngay/{report.pk}/")
    assert any('INSERT INTO "reports_dailyreport"' in s for s in writes(on_default))
    assert writes(on_replica) == []
    assert any('FROM "dossiers_leg"' in s for s in sqls(on_replica))
    assert not any("reports_dailyreport" in s for s in sqls(on_replica))
    assert figure_reads(on_default) == []
    assert DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(pk=report.pk).exists()


def test_outside_counts_page_shows_a_count_just_entered_while_the_replica_lags(client, viewer, activity):
    client.force_login(viewer)
    with replica_lagging():
        created = client.post("/api/v1/outside-counts/", {"unit": "19624", "date": "2026-11-19",
                                                          "procedure": "residence_removal", "count": 7})
        assert created.status_code == 201
        page = client.get("/bao-cao/so-lieu-ngoai-lien-thong/").content.decode()
    assert "19/11/2026" in page
