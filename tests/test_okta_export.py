"""``okta2hrmos export`` against a fake Okta org on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from okta2hrmos.okta import commands
from okta2hrmos.okta.commands import OKTA_OPTION_NAMES, export_command, users_from_okta
from okta2hrmos.okta.limits import MAX_THROTTLED_TRIES, MAX_TRANSIENT_TRIES
from okta2hrmos.templates import load_template
from okta2hrmos.validate import validate
from tests.fakeokta import TOKEN, FakeClock, FakeOkta, example, make_user, okta_env

Export = Callable[..., Result]


@pytest.fixture
def okta(clock: FakeClock) -> Iterator[FakeOkta]:
    with FakeOkta(clock=clock.wall) as server:
        yield server


@pytest.fixture
def export(okta: FakeOkta, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Export:
    """Run ``okta2hrmos export`` in tmp_path with the fake org's URL and token."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, **env: str | None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            export_command,
            list(args),
            env=okta_env(okta.url, **env),
            catch_exceptions=False,
        )

    return run


def read_output(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def three_users() -> list[dict]:
    return [
        make_user(1, "ACTIVE"),
        make_user(2, "SUSPENDED"),
        make_user(3, "DEPROVISIONED"),
    ]


# Cases the export must get right ---------------------------------------------


def test_three_users_on_pages_of_two_take_two_requests_and_never_self(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users([make_user(1), make_user(2), make_user(3)])
    okta.page_limit = 2

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    rows = read_output(tmp_path / "users.csv")
    assert [row["id"] for row in rows] == [f"00u{n:017d}" for n in (1, 2, 3)]
    listing = [s for s in okta.requests_to("/api/v1/users") if "filter" not in s.query]
    assert len(listing) == 2
    assert "after" not in listing[0].query
    # The second request is the next link, exactly as sent; no self link is asked.
    next_links = [url for rel, url in okta.links if rel == "next"]
    self_links = [url for rel, url in okta.links if rel == "self"]
    asked = [okta.url + seen.target for seen in listing]
    assert asked[1] == next_links[0]
    assert not set(asked) & set(self_links)
    # The DEPROVISIONED pass fits in one page.
    leavers = [s for s in okta.requests_to("/api/v1/users") if "filter" in s.query]
    assert len(leavers) == 1


def test_with_one_status_the_three_users_take_exactly_two_requests(
    okta: FakeOkta, export: Export
) -> None:
    okta.set_users([make_user(1), make_user(2), make_user(3)])
    okta.page_limit = 2

    result = export("-o", "users.csv", "--status", "ACTIVE")

    assert result.exit_code == 0, result.output
    assert len(okta.requests_to("/api/v1/users")) == 2


def test_a_429_on_page_two_waits_about_three_seconds_once(
    okta: FakeOkta, export: Export, clock: FakeClock, tmp_path: Path
) -> None:
    okta.set_users([make_user(1), make_user(2), make_user(3)])
    okta.page_limit = 2
    okta.fault("/api/v1/users", status=429, nth=2, times=1, reset_in=3)

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    assert len(clock.sleeps) == 1
    assert 3.0 <= clock.sleeps[0] < 4.0
    rows = read_output(tmp_path / "users.csv")
    assert sorted(row["id"] for row in rows) == [f"00u{n:017d}" for n in (1, 2, 3)]
    assert "waiting 3 s for Okta's rate limit" in result.stderr
    retry = okta.requests_to("/api/v1/users")[2]
    assert retry.headers["X-Okta-Retry-Count"] == "1"
    assert retry.headers["X-Okta-Retry-For"]


def test_a_page_that_always_answers_429_exits_3_without_a_file(
    okta: FakeOkta, export: Export, clock: FakeClock, tmp_path: Path
) -> None:
    okta.set_users([make_user(1), make_user(2), make_user(3)])
    okta.page_limit = 2
    okta.fault("/api/v1/users", status=429, nth=2, times=None, reset_in=3)

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert len(okta.requests_to("/api/v1/users")) == 1 + MAX_THROTTLED_TRIES
    assert len(clock.sleeps) == MAX_THROTTLED_TRIES - 1
    assert "GET /api/v1/users" in result.stderr
    assert "E0000047" in result.stderr
    assert "errorId sampleQPivGUj_ND5v78vbYWW" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_active_suspended_and_deprovisioned_are_all_exported_by_default(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    statuses = [row["status"] for row in read_output(tmp_path / "users.csv")]
    assert statuses == ["ACTIVE", "SUSPENDED", "DEPROVISIONED"]
    assert "(1 ACTIVE, 1 SUSPENDED, 1 DEPROVISIONED)" in result.stderr
    assert not any("q" in seen.query for seen in okta.requests)


@pytest.fixture
def okta_environment(okta: FakeOkta, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in okta_env(okta.url).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def missing_email_and_empty_first_name() -> list[dict]:
    no_email = make_user(1)
    del no_email["profile"]["email"]
    return [no_email, make_user(2, firstName=""), make_user(3)]


@pytest.mark.usefixtures("okta_environment")
def test_missing_email_and_empty_first_name_are_exported_then_reported(
    okta: FakeOkta,
) -> None:
    okta.set_users(missing_email_and_empty_first_name())

    users = users_from_okta(org_url=okta.url, quiet=True)

    table = users.table
    assert list(table.index) == [1, 2, 3]
    assert (table.loc[1, "email"], table.loc[1, "login"]) == ("", "user1@example.com")
    assert table.loc[2, "firstName"] == ""
    validation = validate(users, load_template("hrmos-core-employees"))
    findings = validation.findings
    (empty_first,) = findings[findings["row"] == "2"].itertuples()
    assert (empty_first.code, empty_first.column) == ("missing-required", "firstName")
    assert empty_first.id == f"00u{2:017d}"
    # Nothing is dropped: every row is written or rejected with its reason.
    assert sorted([*validation.accepted, *validation.rejected]) == [1, 2, 3]


@pytest.mark.usefixtures("okta_environment")
def test_a_user_without_email_is_reported_by_validation(okta: FakeOkta) -> None:
    """メールアドレス is recommended, not required: warned, and still written."""
    okta.set_users(missing_email_and_empty_first_name())

    users = users_from_okta(org_url=okta.url, quiet=True)

    validation = validate(users, load_template("hrmos-core-employees"))
    findings = validation.findings
    (no_email,) = findings[findings["row"] == "1"].itertuples()
    assert (no_email.code, no_email.severity, no_email.column) == (
        "missing-recommended",
        "warning",
        "email",
    )
    assert 1 in validation.accepted


def test_a_wrong_token_exits_3_with_the_explanation_and_no_trace_of_it(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    wrong = "00wrongTokenValue_Should-Never-Show"

    result = export("-o", "users.csv", OKTA_CLIENT_TOKEN=wrong)

    assert result.exit_code == 3
    assert "E0000011" in result.stderr
    assert "30 days" in result.stderr
    assert "OKTA_CLIENT_TOKEN" in result.stderr
    assert wrong not in result.output
    assert wrong not in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert okta.requests[0].headers["Authorization"] == f"SSWS {wrong}"


# Selecting users -------------------------------------------------------------


def test_status_narrows_by_filter(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users([*three_users(), make_user(4, "STAGED")])

    result = export("-o", "users.csv", "--status", "suspended,deprovisioned")

    assert result.exit_code == 0, result.output
    statuses = [row["status"] for row in read_output(tmp_path / "users.csv")]
    assert statuses == ["SUSPENDED", "DEPROVISIONED"]
    (seen,) = okta.requests_to("/api/v1/users")
    assert seen.query["filter"] == [
        'status eq "SUSPENDED" or status eq "DEPROVISIONED"'
    ]


def test_since_and_status_make_one_filter(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    # make_user(n) is last updated on 2024-03-(1 + n % 28).
    okta.set_users([make_user(1), make_user(9), make_user(10, "DEPROVISIONED")])

    result = export(
        "-o", "users.csv", "--since", "2024-03-10T09:00:00+09:00", "--status", "ACTIVE"
    )

    assert result.exit_code == 0, result.output
    assert [row["id"] for row in read_output(tmp_path / "users.csv")] == [
        f"00u{9:017d}"
    ]
    (seen,) = okta.requests_to("/api/v1/users")
    assert seen.query["filter"] == [
        'lastUpdated ge "2024-03-10T00:00:00.000Z" and (status eq "ACTIVE")'
    ]


def test_since_alone_includes_every_status(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users([make_user(1), make_user(10, "DEPROVISIONED")])

    result = export("-o", "users.csv", "--since", "2024-03-05")

    assert result.exit_code == 0, result.output
    assert [row["status"] for row in read_output(tmp_path / "users.csv")] == [
        "DEPROVISIONED"
    ]


def test_search_is_passed_on_and_combined(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(
        [
            make_user(1, department="Sales"),
            make_user(2, "DEPROVISIONED", department="Sales"),
            make_user(3, department="Engineering"),
        ]
    )

    result = export("-o", "users.csv", "--search", 'profile.department eq "Sales"')

    assert result.exit_code == 0, result.output
    assert [row["id"] for row in read_output(tmp_path / "users.csv")] == [
        f"00u{1:017d}",
        f"00u{2:017d}",
    ]
    export(
        "-o",
        "active.csv",
        "--search",
        'profile.department eq "Sales"',
        "--status",
        "ACTIVE",
    )
    last = okta.requests_to("/api/v1/users")[-1]
    assert last.query["search"] == [
        '(profile.department eq "Sales") and (status eq "ACTIVE")'
    ]


def test_a_bad_search_explains_e0000031(okta: FakeOkta, export: Export) -> None:
    okta.set_users(three_users())

    result = export("-o", "users.csv", "--search", "profile.department equals Sales")

    assert result.exit_code == 3
    assert "E0000031" in result.stderr
    assert "search expression 'profile.department equals Sales'" in result.stderr
    assert "double quotes" in result.stderr


def test_app_users_come_with_their_okta_profiles(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    app_id = "0oajiqIRNXPPJBNZMGYL"
    okta.apps = {app_id: [f"00u{n:017d}" for n in (1, 3)]}

    result = export("-o", "app.csv", "--app", app_id)

    assert result.exit_code == 0, result.output
    rows = read_output(tmp_path / "app.csv")
    assert [(row["id"], row["status"]) for row in rows] == [
        (f"00u{1:017d}", "ACTIVE"),
        (f"00u{3:017d}", "DEPROVISIONED"),
    ]
    assert rows[0]["firstName"] == "First1"
    (seen,) = okta.requests_to(f"/api/v1/apps/{app_id}/users")
    assert seen.query["expand"] == ["user"]
    assert seen.query["limit"] == ["200"]


def test_status_applies_to_app_users_too(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    okta.apps = {"0oa1": [f"00u{n:017d}" for n in (1, 2, 3)]}

    result = export("-o", "app.csv", "--app", "0oa1", "--status", "ACTIVE")

    assert result.exit_code == 0, result.output
    assert [row["status"] for row in read_output(tmp_path / "app.csv")] == ["ACTIVE"]
    assert "2 users did not match --status or --since" in result.stderr


def test_group_members_are_exported(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    okta.page_limit = 1
    okta.groups = {"00g1abc": [f"00u{n:017d}" for n in (2, 3)]}

    result = export("-o", "group.csv", "--group", "00g1abc")

    assert result.exit_code == 0, result.output
    assert [row["status"] for row in read_output(tmp_path / "group.csv")] == [
        "SUSPENDED",
        "DEPROVISIONED",
    ]
    assert len(okta.requests_to("/api/v1/groups/00g1abc/users")) == 2


def test_an_unknown_app_says_so(okta: FakeOkta, export: Export) -> None:
    result = export("-o", "app.csv", "--app", "0oaNoSuchApp")

    assert result.exit_code == 3
    assert "no app with the ID 0oaNoSuchApp" in result.stderr
    assert "E0000007" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app", "0oa1", "--group", "00g1"], "either --app or --group"),
        (["--group", "00g1", "--search", 'status eq "ACTIVE"'], "--search works"),
        (["--status", "GONE"], "'GONE' is not an Okta user status"),
        (["--since", "last tuesday"], "is not a date"),
        (["--app", "../users"], "is not an Okta ID"),
        (["--search", "  "], "--search is empty"),
    ],
)
def test_option_mistakes_exit_2(export: Export, args: list[str], message: str) -> None:
    result = export("-o", "users.csv", *args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_deprovisioned_between_the_passes_is_kept_once(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    moved = make_user(1, "DEPROVISIONED")
    okta.set_users([*okta.users, moved])

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    ids = [row["id"] for row in read_output(tmp_path / "users.csv")]
    assert len(ids) == len(set(ids)) == 3
    assert "came back twice" in result.stderr


# Attributes --------------------------------------------------------------------


def test_columns_come_from_the_schema_even_when_nobody_has_a_value(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    okta.custom_attributes = {"kanaLastName": "セイ", "costCenterCode": "Cost center"}

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    header = read_output(tmp_path / "users.csv")[0].keys()
    columns = list(header)
    assert columns[:9] == [
        "id",
        "status",
        "created",
        "activated",
        "statusChanged",
        "lastLogin",
        "lastUpdated",
        "passwordChanged",
        "login",
    ]
    assert columns[-3:] == ["costCenterCode", "kanaLastName", "salesforceUserName"]
    assert "manager" in columns


def test_a_limited_admin_gets_the_keys_seen_with_a_note(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users([make_user(1, nickname_jp="タロウ"), make_user(2)])
    okta.limited_admin = True

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    columns = list(read_output(tmp_path / "users.csv")[0].keys())
    assert "nickname_jp" in columns
    assert "manager" not in columns
    assert "may not read the user schema" in result.stderr


def test_okta_example_bodies_export_with_null_and_empty_alike(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    examples = [
        *example("ListUsersResponse"),
        *example("ListUsersSearchResponse"),
        *example("ListUsersFilterResponse"),
        *example("ListUsersQResponse"),
    ]
    okta.set_users(examples)

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    rows = {row["login"]: row for row in read_output(tmp_path / "users.csv")}
    assert len(rows) == len({user["id"] for user in examples})
    ben = rows["ben.richler@example.com"]
    assert (ben["status"], ben["department"], ben["secondEmail"]) == (
        "STAGED",
        "Engineering",
        "",
    )
    assert rows["janice.benson@gmail.com"]["secondEmail"] == ""
    assert rows["alice.smith@example.com"]["activated"] == ""


def test_okta_app_user_example_is_read_through_its_embedded_user(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    (app_user,) = example("AppUserListEx")
    okta.set_users([app_user["_embedded"]["user"]])
    okta.apps = {"0oajiqIRNXPPJBNZMGYL": [app_user["id"]]}

    result = export("-o", "app.csv", "--app", "0oajiqIRNXPPJBNZMGYL")

    assert result.exit_code == 0, result.output
    (row,) = read_output(tmp_path / "app.csv")
    assert (row["login"], row["status"]) == ("saml.test@example.com", "ACTIVE")
    assert "role" not in row  # the app profile is not the Okta profile


# Retries, paging faults, and where requests go --------------------------------


def test_a_500_once_is_retried(
    okta: FakeOkta, export: Export, clock: FakeClock, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    okta.fault("/api/v1/users", status=500, nth=1, times=1)

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    assert len(read_output(tmp_path / "users.csv")) == 3
    assert clock.sleeps == [pytest.approx(0.5, abs=0.25)]


def test_a_500_every_time_exits_3_naming_the_endpoint_and_okta_error(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.fault(
        "/api/v1/users",
        status=500,
        times=None,
        body={
            "errorCode": "E0000009",
            "errorSummary": "Internal Server Error",
            "errorId": "oaeBROKEN123",
        },
    )

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert len(okta.requests_to("/api/v1/users")) == MAX_TRANSIENT_TRIES
    assert (
        "GET /api/v1/users with HTTP 500 (E0000009: Internal Server Error, errorId "
        "oaeBROKEN123) after 5 tries"
    ) in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_time_out_is_retried(
    okta: FakeOkta, export: Export, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(commands, "TIMEOUTS", httpx.Timeout(0.2))
    okta.set_users(three_users())
    okta.fault("/api/v1/users", status=0, nth=1, times=1, delay=0.6)

    result = export("-o", "users.csv")

    assert result.exit_code == 0, result.output
    assert len(read_output(tmp_path / "users.csv")) == 3
    assert len(okta.requests_to("/api/v1/users")) == 3


def test_an_unreachable_org_exits_3(
    export: Export, tmp_path: Path, clock: FakeClock
) -> None:
    closed = FakeOkta().start()
    url = closed.url
    closed.stop()

    result = export("-o", "users.csv", OKTA_CLIENT_ORGURL=url)

    assert result.exit_code == 3
    assert f"Could not reach {url}" in result.stderr
    assert "after 5 tries" in result.stderr
    assert len(clock.sleeps) == MAX_TRANSIENT_TRIES - 1
    assert list(tmp_path.iterdir()) == []


def test_a_next_link_to_another_host_stops_before_sending_anything_there(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    okta.page_limit = 1
    okta.next_origin = "http://127.0.0.2:9"

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert "points to 127.0.0.2, not to" in result.stderr
    assert len(okta.requests_to("/api/v1/users")) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_repeated_next_link_stops_the_export(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users([make_user(n) for n in range(5)])
    okta.page_limit = 2
    okta.repeat_next = True

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert "same next-page link twice" in result.stderr
    assert len(okta.requests_to("/api/v1/users")) == 2


def test_a_redirect_is_not_followed(okta: FakeOkta, export: Export) -> None:
    okta.fault(
        "/api/v1/users",
        status=302,
        times=None,
        headers={"Location": "http://127.0.0.2:9/login"},
    )

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert "redirect" in result.stderr


def test_a_path_after_the_org_is_dropped_with_a_note(
    okta: FakeOkta, export: Export
) -> None:
    result = export(
        "-o", "users.csv", OKTA_CLIENT_ORGURL=okta.url + "/admin/getting-started"
    )

    assert result.exit_code == 0, result.output
    assert f"Using the org URL {okta.url}; the rest" in result.stderr
    assert all(not seen.path.startswith("/admin") for seen in okta.requests)


def test_a_404_on_the_org_explains_the_url(okta: FakeOkta, export: Export) -> None:
    okta.fault("/api/v1/meta/schemas/user/default", status=404, times=None)
    okta.fault("/api/v1/users", status=404, times=None)

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert "answered 404 to GET /api/v1/users" in result.stderr
    assert "not an Okta org's address" in result.stderr


def test_forbidden_names_the_scope_and_the_role(okta: FakeOkta, export: Export) -> None:
    okta.fault(
        "/api/v1/users", status=403, times=None, body=example("ErrorAccessDenied")
    )

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert "E0000006" in result.stderr
    assert "okta.users.read" in result.stderr
    assert "Read-only Administrator" in result.stderr


def test_requests_carry_the_user_agent_and_the_token_and_nothing_else_does(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())

    result = export("-o", "users.csv")

    assert result.exit_code == 0
    for seen in okta.requests:
        assert seen.headers["User-Agent"].startswith("okta2hrmos/")
        assert seen.headers["Authorization"] == f"SSWS {TOKEN}"
    assert TOKEN not in result.output
    assert TOKEN not in (tmp_path / "users.csv").read_text(encoding="utf-8-sig")


# Pacing by the rate-limit headers ----------------------------------------------


def test_the_export_waits_for_the_reset_before_the_bucket_is_empty(
    okta: FakeOkta, export: Export, clock: FakeClock, tmp_path: Path
) -> None:
    okta.set_users([make_user(n) for n in range(100)])
    okta.page_limit = 1
    okta.rate_limit = 40
    okta.window = 60

    result = export("-o", "users.csv", "--status", "ACTIVE")

    assert result.exit_code == 0, result.output
    assert okta.refused == 0
    assert okta.lowest_remaining == {"users": 2, "meta": 39}
    assert len(read_output(tmp_path / "users.csv")) == 100
    # 100 pages, 38 a window: two waits of about a minute, none after.
    assert len(clock.sleeps) == 2
    assert all(59 <= wait <= 61 for wait in clock.sleeps)
    assert re.search(
        r"waiting 6[01] s for Okta's rate limit \(3[78] users, 3[78] pages so far\)",
        result.stderr,
    )


# Output ----------------------------------------------------------------------------


def test_the_file_is_private_and_an_old_one_survives_a_failed_export(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.set_users(three_users())
    assert export("-o", "users.csv").exit_code == 0
    before = (tmp_path / "users.csv").read_bytes()
    assert before.startswith(b"\xef\xbb\xbf")
    assert os.stat(tmp_path / "users.csv").st_mode & 0o777 == 0o600

    okta.fault("/api/v1/users", status=500, times=None)
    assert export("-o", "users.csv").exit_code == 3

    assert (tmp_path / "users.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["users.csv"]


def test_no_bom_and_stdout(okta: FakeOkta, export: Export, tmp_path: Path) -> None:
    okta.set_users(three_users())

    assert export("-o", "plain.csv", "--no-bom").exit_code == 0
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"id,status,")
    result = export("-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("id,status,")
    assert len(result.stdout.splitlines()) == 4


def test_quiet_silences_progress_but_not_the_summary(
    okta: FakeOkta, export: Export
) -> None:
    okta.set_users(three_users())
    okta.page_limit = 2
    okta.fault("/api/v1/users", status=429, nth=2, times=1, reset_in=3)

    result = export("-o", "users.csv", "--quiet")

    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line == (
        f"Read 3 users from {okta.url} (1 ACTIVE, 1 SUSPENDED, 1 DEPROVISIONED) in 2 "
        "pages, waiting 3 s in all after 1 rate-limit refusal; wrote users.csv."
    )


# Configuration -----------------------------------------------------------------


def test_no_org_url_exits_2(export: Export) -> None:
    result = export("-o", "users.csv", OKTA_CLIENT_ORGURL=None)

    assert result.exit_code == 2
    assert "OKTA_CLIENT_ORGURL" in result.stderr


def test_no_token_exits_2_naming_both_ways(export: Export) -> None:
    result = export("-o", "users.csv", OKTA_CLIENT_TOKEN=None)

    assert result.exit_code == 2
    assert "set OKTA_CLIENT_TOKEN to an API token" in result.stderr
    assert "OKTA_CLIENT_CLIENTID" in result.stderr


def test_token_env_names_another_variable(okta: FakeOkta, export: Export) -> None:
    okta.set_users(three_users())

    result = export(
        "-o", "users.csv", "--token-env", "OKTA_API_TOKEN", OKTA_CLIENT_TOKEN=None,
        OKTA_API_TOKEN=TOKEN,
    )  # fmt: skip

    assert result.exit_code == 0, result.output


def test_a_token_given_as_token_env_is_not_echoed(export: Export) -> None:
    result = export("-o", "users.csv", "--token-env", TOKEN)

    assert result.exit_code == 2
    assert "not the token" in result.stderr
    assert TOKEN not in result.output


def test_plain_http_elsewhere_exits_2(export: Export) -> None:
    result = export("-o", "users.csv", "--org-url", "http://acme.okta.com")

    assert result.exit_code == 2
    assert "not encrypted" in result.stderr


def test_users_from_okta_gives_the_table_run_needs(
    okta: FakeOkta, monkeypatch: pytest.MonkeyPatch
) -> None:
    okta.set_users(three_users())
    monkeypatch.setenv("OKTA_CLIENT_TOKEN", TOKEN)
    options = dict.fromkeys(OKTA_OPTION_NAMES)
    options.update(
        org_url=okta.url, token_env="OKTA_CLIENT_TOKEN", status=(), quiet=True
    )

    users = users_from_okta(**options)

    assert users.format == "okta-api"
    assert users.source == okta.url
    assert users.rows_read == 3
    assert list(users.table.index) == [1, 2, 3]
    assert users.table.index.name == "row"
    assert all(isinstance(value, str) for value in users.table.to_numpy().ravel())
    assert users.notes[-1].startswith("Read 3 users from")


def test_the_help_text_has_an_example() -> None:
    result = CliRunner().invoke(export_command, ["--help"])

    assert result.exit_code == 0
    assert "okta2hrmos export -o users.csv" in result.output
    assert "--token-env" in result.output


def test_the_table_builder_matches_the_users_table_of_flattened_rows() -> None:
    from okta2hrmos.okta.export import TableBuilder
    from okta2hrmos.users import table_from_rows

    pages = [
        [{"id": "1", "login": "a"}, {"id": "2"}],
        [{"id": "3", "late": "x", "login": ""}],
        [],
        [{"id": "4"}] * 120,
    ]
    builder = TableBuilder()
    builder.SLAB = 2
    for page in pages:
        builder.add(page)
    columns = ["id", "login", "late", "never"]

    table = builder.table(columns, first_row=1)

    rows = [row for page in pages for row in page]
    expected = table_from_rows(rows, columns, first_row=1)
    assert table.equals(expected)
    assert list(table.dtypes) == list(expected.dtypes)
    assert table.loc[3, "late"] == "x"
    assert table.loc[1, "never"] == ""


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("USER_AT_ORG", "carries a user name or password"),
        ("http://127.0.0.1:1:80", "is not a valid URL"),
    ],
)
def test_a_next_link_with_credentials_or_a_bad_port_stops(
    okta: FakeOkta, export: Export, tmp_path: Path, origin: str, message: str
) -> None:
    okta.set_users(three_users())
    okta.page_limit = 1
    okta.next_origin = (
        okta.url.replace("http://", "http://user:pw@")
        if origin == "USER_AT_ORG"
        else origin
    )

    result = export("-o", "users.csv")

    assert result.exit_code == 3
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(okta.requests_to("/api/v1/users")) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00+09:00", "9999-12-31T23:59:59-09:00"]
)
def test_a_since_outside_the_calendar_is_one_sentence(since: str) -> None:
    from okta2hrmos.errors import ConfigError
    from okta2hrmos.okta.export import okta_timestamp

    with pytest.raises(ConfigError, match="outside the dates Okta keeps"):
        okta_timestamp(since)


@pytest.mark.parametrize(
    "token", ["00abc…def", "ＴＥＳＴtoken", "abc\nX-Evil: 1", "a b"]
)
def test_a_token_that_cannot_be_a_header_is_refused_without_showing_it(
    token: str,
) -> None:
    from okta2hrmos.errors import ConfigError
    from okta2hrmos.okta.auth import ApiToken

    with pytest.raises(ConfigError, match="copy it again") as raised:
        ApiToken(token, "OKTA_CLIENT_TOKEN")
    assert token not in str(raised.value)
