"""Access matrix (docs/domain.md §2): every role × every route of the URL
conf × own and foreign scope, with the expected answer.

Rows are keyed by URL name; a route added to the URL conf without a row here
(and without a call in tests/hardening/matrix.py) fails
`test_every_route_has_a_row`. Cells, one per role in ROLES order:
  200/201/400/403/404  the status code;
  302   a redirect elsewhere than the log-in page (e.g. staff sent home);
  302L  a redirect to the log-in page (anonymous on a page, and logging out);
  …w    an allowed write (200w, 201w, 302w): the call changed what it is
        about (CALLS[...].state differs after it); on every other cell of a
        write route the state must be the same after the call;
  200+  a list that shows the scope's object, 200- one that must not;
  a|b   either code (only where the answer depends on the outside world);
  .     not asked (the route is public and the same for every role).
A wrong answer in someone else's file is marked xfail(strict) in XFAIL with
what is wrong and whose file it is, so that the fix turns the row red until
the mark is removed.
"""
from __future__ import annotations

import pytest

from tests.hardening.fixtures import world  # noqa: F401 - the module-scoped world
from tests.hardening.matrix import CALLS, listed, perform, routes
from tests.hardening.world import ROLES

LOGIN_URL = "/dang-nhap/"

# role order: anonymous citizen clerk justice police social_insurance labour health viewer admin
EXPECT: dict[tuple[str, str], str] = {
    # public and account pages
    ("landing", "-"):                        "200  302  302  302  302  302  302  302  302  302",
    ("home", "-"):                           "302L 302  302  302  302  302  302  302  302  302",
    ("healthz", "-"):                        "200|503 .  .    .    .    .    .    .    .    .",
    ("login", "-"):                          "200  302  302  302  302  302  302  302  302  302",
    # Logging out ends on the log-in page (LOGOUT_REDIRECT_URL), whoever asks.
    ("logout", "-"):                         "302L 302L 302L 302L 302L 302L 302L 302L 302L 302L",
    ("set_language", "-"):                   "302  302  302  302  302  302  302  302  302  302",
    ("schema", "-"):                         "200  200  200  200  200  200  200  200  200  200",
    ("swagger", "-"):                        "200  200  200  200  200  200  200  200  200  200",
    # API: anonymous 401; lists filtered; objects out of scope 404
    ("api-token", "-"):                      "400  400  400  400  400  400  400  400  400  400",
    ("api-dossiers", "own"):                 "401  200+ 200+ 200+ 200+ 200+ 200+ 200- 200+ 200+",
    ("api-dossiers", "foreign"):             "401  200- 200- 200- 200- 200- 200- 200- 200- 200+",
    ("api-dossiers#post", "own"):            "401  201w 201w 403  403  403  403  403  403  201w",
    ("api-dossiers#post", "foreign"):        "401  201w 400  403  403  403  403  403  403  201w",
    ("api-dossier", "own"):                  "401  200  200  200  200  200  200  404  200  200",
    ("api-dossier", "foreign"):              "401  404  404  404  404  404  404  404  404  200",
    ("api-dossier-supplement", "own"):       "401  200w 200w 403  403  403  403  404  403  200w",
    ("api-dossier-supplement", "foreign"):   "401  404  404  404  404  404  404  404  404  200w",
    ("api-dossier-withdraw", "own"):         "401  200w 200w 403  403  403  403  404  403  200w",
    ("api-dossier-withdraw", "foreign"):     "401  404  404  404  404  404  404  404  404  200w",
    ("api-legs", "own"):                     "401  200- 200- 200+ 200+ 200+ 200+ 200- 200- 200+",
    ("api-legs", "other_agency"):            "401  200- 200- 200- 200- 200- 200- 200- 200- 200+",
    ("api-legs", "foreign"):                 "401  200- 200- 200- 200- 200- 200- 200- 200- 200+",
    ("api-outside-counts", "own"):           "401  403  403  403  201w 403  403  403  201w 201w",
    **{(name, scope): cells for name in ("api-leg-accept", "api-leg-request-supplement", "api-leg-complete",
                                         "api-leg-reject")
       for scope, cells in [("own",          "401  404  404  200w 200w 200w 200w 404  404  200w"),
                            ("other_agency", "401  404  404  404  404  404  404  404  404  200w"),
                            ("foreign",      "401  404  404  404  404  404  404  404  404  200w")]},
    # Outside counts for a unit of another province: refused as a bad `unit`.
    ("api-outside-counts", "foreign"):       "401  403  403  403  400  403  403  403  400  201w",
    ("api-reports-adoption", "own"):         "401  404  404  404  404  200  200  200  200  200",
    ("api-reports-adoption", "foreign"):     "401  404  404  404  404  404  404  404  404  200",
    ("api-reports-daily", "own"):            "401  404  404  404  404  200  200  200  200  200",
    ("api-reports-daily", "foreign"):        "401  404  404  404  404  404  404  404  404  200",
    # staff pages: citizens 403, anonymous to the log-in page
    ("staff:counter", "-"):                  "302L 403  200  403  403  403  403  403  403  403",
    ("staff:counter_preview", "-"):          "302L 403  200  403  403  403  403  403  403  403",
    ("staff:dossiers", "own"):               "302L 403  200+ 200+ 200+ 200+ 200+ 200- 200+ 200+",
    ("staff:dossiers", "foreign"):           "302L 403  200- 200- 200- 200- 200- 200- 200- 200+",
    ("staff:dossier", "own"):                "302L 403  200  200  200  200  200  404  200  200",
    ("staff:dossier", "foreign"):            "302L 403  404  404  404  404  404  404  404  200",
    ("staff:receipt", "own"):                "302L 403  200  200  200  200  200  404  200  200",
    ("staff:receipt", "foreign"):            "302L 403  404  404  404  404  404  404  404  200",
    ("staff:dossier_returned", "own"):       "302L 403  302w 403  403  403  403  404  403  302w",
    ("staff:dossier_returned", "foreign"):   "302L 403  404  404  404  404  404  404  404  302w",
    ("staff:attachment", "own"):             "302L 403  200  200  200  200  200  404  200  200",
    ("staff:attachment", "foreign"):         "302L 403  404  404  404  404  404  404  404  200",
    # The document belongs to the birth dossier: labour has no leg there.
    ("staff:document", "own"):               "302L 403  200  200  200  200  404  404  200  200",
    ("staff:document", "foreign"):           "302L 403  404  404  404  404  404  404  404  200",
    ("staff:queue", "own"):                  "302L 403  200- 200+ 200+ 200+ 200+ 200- 200- 200+",
    ("staff:queue", "other_agency"):         "302L 403  200- 200- 200- 200- 200- 200- 200- 200+",
    ("staff:queue", "foreign"):              "302L 403  200- 200- 200- 200- 200- 200- 200- 200+",
    ("staff:leg", "own"):                    "302L 403  404  200  200  200  200  404  404  200",
    ("staff:leg", "other_agency"):           "302L 403  404  404  404  404  404  404  404  200",
    ("staff:leg", "foreign"):                "302L 403  404  404  404  404  404  404  404  200",
    **{(f"staff:{name}", scope): cells for name in ("leg_accept", "leg_supplement", "leg_complete", "leg_reject")
       for scope, cells in [("own",          "302L 403  404  302w 302w 302w 302w 404  404  302w"),
                            ("other_agency", "302L 403  404  404  404  404  404  404  404  302w"),
                            ("foreign",      "302L 403  404  404  404  404  404  404  404  302w")]},
    ("staff:difficulties", "-"):             "302L 403  200  200  200  200  200  200  200  200",
    ("staff:difficulties#post", "-"):        "302L 403  302w 302w 302w 302w 302w 302w 403  403",
    ("staff:difficulty_close", "own"):       "302L 403  403  403  403  403  403  403  302w 302w",
    ("staff:difficulty_close", "foreign"):   "302L 403  403  403  403  403  403  403  404  302w",
    ("staff:contacts", "-"):                 "302L 403  200  200  200  200  200  200  200  200",
    # Unusual access to personal data: admins and the provincial office.
    ("staff:unusual_access", "-"):           "302L 403  404  404  404  404  404  404  200  200",
    ("staff:communes", "-"):                 "302L 403  200  200  200  200  200  200  200  200",
    # The counter: the citizen brought papers / takes the dossier back.
    **{(f"staff:{name}", scope): cells for name in ("dossier_supplement", "dossier_withdraw")
       for scope, cells in [("own",     "302L 403  302w 403  403  403  403  404  403  302w"),
                            ("foreign", "302L 403  404  404  404  404  404  404  404  302w")]},
    # reports pages: provincial staff of the province (viewer, provincial
    # officers) and admins; anyone else asking for a province gets 404
    **{(f"reports:{name}", scope): cells
       for name in ("dashboard", "adoption", "daily_list", "daily_preview", "daily_detail", "daily_file", "summary")
       for scope, cells in [("own",     "302L 404  404  404  404  200  200  200  200  200"),
                            ("foreign", "302L 404  404  404  404  404  404  404  404  200")]},
    # Commune police enter counts for their own province: ?province= of
    # another one is ignored (the page shows their own), hence 200.
    ("reports:outside_counts", "own"):       "302L 403  403  403  200  403  403  403  200  200",
    ("reports:outside_counts", "foreign"):   "302L 403  403  403  200  403  403  403  404  200",
    # citizens' pages: staff are sent to their own home page
    ("citizen:home", "own"):                 "302L 200+ 302  302  302  302  302  302  302  302",
    ("citizen:home", "foreign"):             "302L 200- 302  302  302  302  302  302  302  302",
    ("citizen:my_data", "own"):              "302L 200+ 302  302  302  302  302  302  302  302",
    ("citizen:my_data", "foreign"):          "302L 200- 302  302  302  302  302  302  302  302",
    ("citizen:wizard", "-"):                 "302L 200  302  302  302  302  302  302  302  302",
    ("citizen:wizard_delete", "own"):        "302L 302w 302  302  302  302  302  302  302  302",
    ("citizen:wizard_delete", "foreign"):    "302L 404  302  302  302  302  302  302  302  302",
    ("citizen:wizard_file_remove", "own"):   "302L 302w 302  302  302  302  302  302  302  302",
    ("citizen:wizard_file_remove", "foreign"): "302L 404 302  302  302  302  302  302  302  302",
    ("citizen:wizard_step", "own"):          "302L 200  302  302  302  302  302  302  302  302",
    ("citizen:wizard_step", "foreign"):      "302L 404  302  302  302  302  302  302  302  302",
    ("citizen:communes", "-"):               "302L 200  302  302  302  302  302  302  302  302",
    ("citizen:dossier", "own"):              "302L 200  302  302  302  302  302  302  302  302",
    ("citizen:dossier", "foreign"):          "302L 404  302  302  302  302  302  302  302  302",
    ("citizen:supplement", "own"):           "302L 302w 302  302  302  302  302  302  302  302",
    ("citizen:supplement", "foreign"):       "302L 404  302  302  302  302  302  302  302  302",
    ("citizen:rate", "own"):                 "302L 302w 302  302  302  302  302  302  302  302",
    ("citizen:rate", "foreign"):             "302L 404  302  302  302  302  302  302  302  302",
    ("citizen:document_download", "own"):    "302L 200  200  200  200  200  404  404  200  200",
    ("citizen:document_download", "foreign"): "302L 404 404  404  404  404  404  404  404  200",
    # public: tracking by code + phone, document verification, accounts
    ("citizen:track", "-"):                  "200  200  200  200  200  200  200  200  200  200",
    ("citizen:verify", "own"):               "200  200  200  200  200  200  200  200  200  200",
    ("citizen:verify", "foreign"):           "200  200  200  200  200  200  200  200  200  200",
    ("citizen:signup", "-"):                 "200  302  302  302  302  302  302  302  302  302",
    ("citizen:signup_confirm", "-"):         "302  302  302  302  302  302  302  302  302  302",
    ("citizen:password_reset", "-"):         "200  200  200  200  200  200  200  200  200  200",
    ("citizen:password_reset_confirm", "-"): "302  302  302  302  302  302  302  302  302  302",
}

# (route, scope, role) → what is wrong and whose file it is.
XFAIL: dict[tuple[str, str, str], str] = {}


def _cells(key: tuple[str, str]) -> dict[str, str]:
    cells = EXPECT[key].split()
    assert len(cells) == len(ROLES), f"row {key} has {len(cells)} cells for {len(ROLES)} roles"
    return dict(zip(ROLES, cells, strict=True))


def _cases():
    for (name, scope) in EXPECT:
        for role, cell in _cells((name, scope)).items():
            if cell == ".":
                continue
            marks = []
            if (name, scope, role) in XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[(name, scope, role)]))
            yield pytest.param(name, scope, role, cell, id=f"{role}-{name}-{scope}", marks=marks)


def test_every_route_has_a_row():
    """A page or endpoint added to the URL conf must get a row here."""
    names = set(routes())
    called = {name.split("#")[0] for name in CALLS}
    rows = {name.split("#")[0] for name, _scope in EXPECT}
    missing_calls = sorted(names - called)
    missing_rows = sorted(names - rows)
    assert not missing_calls and not missing_rows, (
        f"routes without an access-matrix row: {missing_rows or missing_calls}. Add how to call them to "
        "tests/hardening/matrix.py (CALLS) and the expected answer per role to tests/test_access_matrix.py "
        "(EXPECT).")
    stale = sorted(rows - names)
    assert not stale, f"access-matrix rows for routes that no longer exist: {stale}"
    for name, scope in EXPECT:
        assert scope in CALLS[name].scopes, f"{name}: scope {scope} is not one of {CALLS[name].scopes}"
    for name, call in CALLS.items():
        for scope in call.scopes:
            assert (name, scope) in EXPECT, f"{name} × {scope} has no expected row"
    # A write someone is allowed to make says what it changes; a route whose
    # change is observed has someone allowed to make it.
    writes = {name for (name, _scope), cells in EXPECT.items() if any(c.endswith("w") for c in cells.split())}
    observed = {name for name, call in CALLS.items() if call.state}
    assert writes == observed, f"allowed writes without a state: {sorted(writes - observed)}; " \
                               f"states without an allowed write: {sorted(observed - writes)}"


@pytest.mark.parametrize(("name", "scope", "role", "cell"), list(_cases()))
def test_access(world, db, name, scope, role, cell):  # noqa: F811 - the fixture
    call = CALLS[name]
    before: list = []
    response = perform(name, world, role, scope,
                       ready=(lambda: before.append(call.state(world, role, scope))) if call.state else None)
    code = response.status_code
    where = f"{role} → {CALLS[name].method.upper()} {response.request['PATH_INFO']} ({scope})"
    if "|" in cell:
        assert str(code) in cell.split("|"), f"{where}: {code}, expected one of {cell}"
        return
    expected = int(cell[:3])
    assert code == expected, f"{where}: {code}, expected {expected}"
    if call.state:
        after = call.state(world, role, scope)
        if cell.endswith("w"):
            assert after != before[0], f"{where}: {code} but nothing changed ({after})"
        else:
            assert after == before[0], f"{where}: refused with {code} but changed {before[0]} → {after}"
    if cell == "302L":
        assert response["Location"].startswith(LOGIN_URL), f"{where}: redirected to {response['Location']}"
    elif code == 302:
        assert not response["Location"].startswith(LOGIN_URL), f"{where}: sent to the log-in page"
    elif code == 200 and CALLS[name].shows and scope == "foreign" and role != "admin":
        assert CALLS[name].shows(world, role, scope) not in response.content.decode(), f"{where}: leaks the province"
    elif cell.endswith(("+", "-")):
        needle = CALLS[name].lists(world, role, scope)
        shown = listed(response, needle)
        assert shown == cell.endswith("+"), f"{where}: {needle} {'missing from' if not shown else 'leaks into'} " \
                                           "the list"
