"""Small helpers for tests that wait on other processes or drive a browser."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

# Screenshots the browser tests take; README.md points here.
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DEMO_PASSWORD = "LienThong@2026"


def tool(name: str) -> str:
    """The path of a system tool the tests drive. Missing, the test fails (it
    does not skip): `make test` installs them (bin/ensure-tools)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: `make test` installs it (bin/ensure-tools), or apt-get install it")
    return path


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until `predicate()` is truthy (work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def screenshot(pg, name: str, axe: bool = True) -> Path:
    """Saves the page as it is now in tests/screenshots/ and, unless `axe` is
    False (a print preview, a PDF viewer), checks the same state with
    axe-core: every screenshot is also an accessibility check."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    if axe:
        axe_clean(pg, name)
    return path


def login(pg, username: str, password: str = DEMO_PASSWORD) -> None:
    pg.goto("/dang-nhap/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", password)
    pg.click("button[type=submit].primary")
    pg.wait_for_load_state("networkidle")


# axe-core, pinned and installed from the npm registry by bin/ensure-tools.
AXE_JS = Path(__file__).resolve().parent.parent / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("moderate", "serious", "critical")


def axe_violations(pg) -> list[str]:
    """axe-core's violations of impact moderate or higher on the page as it
    is now, one line each. Evaluated through the DevTools protocol, which
    the page's CSP does not govern (a script tag would need bypass_csp)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make test` installs it (bin/ensure-tools)")
    if not pg.evaluate("() => typeof window.axe !== 'undefined'"):
        pg.evaluate("() => {\n" + AXE_JS.read_text(encoding="utf-8") + "\n}")
    result = pg.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v.get("impact") in AXE_IMPACTS]


def axe_clean(pg, state: str) -> None:
    """Fails with the list of violations of the page state `state`."""
    found = axe_violations(pg)
    assert not found, f"axe-core on {state}:\n" + "\n".join(found)
