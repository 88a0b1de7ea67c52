"""Locust scenario of the API load benchmark (run by bench/api_load.py, headless).

Reads BENCH_CONFIG (a JSON file written by api_load.py) for the tokens, the
session cookie and the dossier codes of one busy commune. Request names are
the endpoint classes the report groups by:

  read queue         GET /api/v1/legs/ (an officer's work queue, pending or all)
  read dossier API   GET /api/v1/dossiers/{code}/
  read dossier HTML  GET /can-bo/ho-so/{code}/ (the staff page, session cookie)
  write submit       POST /api/v1/dossiers/ (birth 70 %, death 30 %, unique people)
  write accept       POST /api/v1/legs/{id}/accept/
  write complete     POST /api/v1/legs/{id}/complete/
  ceiling noop       GET /bench/noop (same gunicorn, settings and middleware, a view that
                     does nothing: the framework's ceiling; /healthz is not one, it waits
                     up to 1 s for Celery workers to answer a broadcast ping)

Officers act only on legs of dossiers submitted during the run (codes KS-/KT-),
so the generated 1M history keeps its shape. Two officers picking the same leg
get a 409: that is the engine doing its job, counted apart (not an error).
"""
from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from pathlib import Path

from locust import FastHttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

if not settings.configured:
    # Only timezone.localdate() is needed by the payload helpers: no app, no database.
    settings.configure(USE_TZ=True, TIME_ZONE="Asia/Ho_Chi_Minh")

from tests.dossiers.payloads import birth_payload, death_payload  # noqa: E402

CONFIG = json.loads(Path(os.environ["BENCH_CONFIG"]).read_text())
UNIT = CONFIG["unit_code"]
CODES: list[str] = CONFIG["codes"]
CONFLICTS = {"accept": 0, "complete": 0}
_serial_lock = threading.Lock()
_serial = [int(time.time()) % 500_000]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Gia", "Bảo", "Quốc", "Thanh", "Ngọc", "Hữu", "Đức"]
GIVEN = ["Khang", "Hoa", "Bình", "Hân", "Ngọc", "Huy", "Tâm", "Thư", "An", "Phúc", "Linh", "Nam", "Vy", "Sơn"]


def _next_serial() -> int:
    with _serial_lock:
        _serial[0] = (_serial[0] + 1) % 1_000_000
        return _serial[0]


def _name(rnd: random.Random) -> str:
    return f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def new_birth(rnd: random.Random) -> dict:
    n = _next_serial()
    mother_id, father_id = f"082190{n:06d}", f"082088{n:06d}"  # female 1990 / male 1988 (DOMAIN §7)
    mother, father = _name(rnd), _name(rnd)
    return birth_payload(
        unit=UNIT, channel="one_stop", subject__full_name=_name(rnd), subject__residence__unit=UNIT,
        subject__mother={"full_name": mother, "personal_id": mother_id},
        subject__father={"full_name": father, "personal_id": father_id},
        applicant__full_name=mother, applicant__personal_id=mother_id)


def new_death(rnd: random.Random) -> dict:
    n = _next_serial()
    return death_payload(unit=UNIT, channel="one_stop", subject__full_name=_name(rnd),
                         subject__personal_id=f"045052{n:06d}", applicant__full_name=_name(rnd),
                         applicant__personal_id=f"082180{n:06d}")


class Api(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)  # a person at a desk, not a tight loop
    token = ""

    def on_start(self) -> None:
        self.rnd = random.Random()
        self.headers = {"Authorization": f"Token {self.token}", "Accept": "application/json",
                        "Accept-Language": "vi"}

    def read_dossier(self) -> None:
        code = self.rnd.choice(CODES)
        self.client.get(f"/api/v1/dossiers/{code}/", headers=self.headers, name="read dossier API")


class Clerk(Api):
    """The one-stop clerk of the busy commune: files dossiers, looks them up."""

    weight = 3
    token = CONFIG["tokens"]["clerk"]

    @task(3)
    def submit(self) -> None:
        payload = new_birth(self.rnd) if self.rnd.random() < 0.7 else new_death(self.rnd)
        with self.client.post("/api/v1/dossiers/", json=payload, headers=self.headers, name="write submit",
                              catch_response=True) as resp:
            if resp.status_code == 201:
                code = resp.json().get("code")
                if code:
                    CODES.append(code)
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {(resp.text or '')[:200]}")

    @task(4)
    def dossier_api(self) -> None:
        self.read_dossier()

    @task(3)
    def dossier_html(self) -> None:
        code = self.rnd.choice(CODES)
        self.client.get(f"/can-bo/ho-so/{code}/", headers={"Cookie": CONFIG["session_cookie"]},
                        name="read dossier HTML")


class Officer(Api):
    """An agency officer of the same commune working their queue."""

    abstract = True
    services = ""

    @task(4)
    def queue(self) -> None:
        with self.client.get("/api/v1/legs/", headers=self.headers, name="read queue",
                             catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(str(resp.status_code))
                return
            self.mine = [leg["dossier"] for leg in resp.json().get("results", [])] or getattr(self, "mine", [])
            resp.success()

    @task(2)
    def dossier_api(self) -> None:
        # An officer sees only dossiers with a leg of their agency: open one from the queue.
        mine = getattr(self, "mine", None)
        if mine:
            self.client.get(f"/api/v1/dossiers/{self.rnd.choice(mine)}/", headers=self.headers,
                            name="read dossier API")

    @task(3)
    def accept(self) -> None:
        leg = self._pick("pending")
        if leg:
            self._act(leg, "accept", None)

    @task(3)
    def complete(self) -> None:
        leg = self._pick("in_progress")
        if leg:
            self._act(leg, "complete", {})

    def _pick(self, status: str) -> dict | None:
        with self.client.get(f"/api/v1/legs/?status={status}&service={self.services}&page_size=50",
                             headers=self.headers, name="read queue", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(str(resp.status_code))
                return None
            legs = [leg for leg in resp.json().get("results", []) if not str(leg.get("dossier", "")).startswith("B")]
            resp.success()
        return self.rnd.choice(legs) if legs else None

    def _act(self, leg: dict, action: str, result: dict | None) -> None:
        body = {"result": result} if action == "complete" else {}
        with self.client.post(f"/api/v1/legs/{leg['id']}/{action}/", json=body, headers=self.headers,
                              name=f"write {action}", catch_response=True) as resp:
            if resp.status_code == 200:
                resp.success()
            elif resp.status_code == 409:
                CONFLICTS[action] += 1  # someone else took it first: the engine said so
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {(resp.text or '')[:200]}")


class JusticeOfficer(Officer):
    weight = 3
    token = CONFIG["tokens"]["justice"]
    services = "birth_registration,death_registration"

    def _pick(self, status: str) -> dict | None:  # the queue filter takes one service
        self.services = self.rnd.choice(["birth_registration", "birth_registration", "death_registration"])
        return super()._pick(status)


class PoliceOfficer(Officer):
    weight = 2
    token = CONFIG["tokens"]["police"]
    services = "residence_registration"


class Viewer(Api):
    """A provincial viewer reading dossiers (masked)."""

    weight = 1
    token = CONFIG["tokens"]["viewer"]

    @task
    def dossier_api(self) -> None:
        self.read_dossier()


class Noop(FastHttpUser):
    """The framework's ceiling on the same stack, in the same run."""

    weight = 1
    wait_time = between(0.5, 1.5)

    @task
    def noop(self) -> None:
        self.client.get("/bench/noop", name="ceiling noop")


@events.test_stop.add_listener
def _write_conflicts(**_kwargs) -> None:
    out = os.environ.get("BENCH_CONFLICTS")
    if out:
        Path(out).write_text(json.dumps(CONFLICTS))
