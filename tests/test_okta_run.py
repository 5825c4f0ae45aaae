"""``run`` from the Okta API gives the same HRMOS file as ``run --input`` on its export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from okta2hrmos.cli import main
from okta2hrmos.okta import commands
from tests.fakeokta import TOKEN, FakeClock, FakeOkta, make_user, okta_env


@pytest.fixture
def okta(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOkta]:
    clock = FakeClock()
    monkeypatch.setattr(commands, "CLOCK", clock)
    users = [
        make_user(1, "ACTIVE", lastName="山田", firstName="太郎"),
        make_user(2, "SUSPENDED", department="営業部"),
        make_user(3, "DEPROVISIONED"),
        make_user(4, "ACTIVE", firstName=""),
        make_user(5, "STAGED", employeeNumber="000001"),
    ]
    with FakeOkta(users, page_limit=2, clock=clock.wall) as server:
        yield server


def test_run_from_the_api_matches_run_on_the_exported_csv(
    okta: FakeOkta, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = okta_env(okta.url)

    direct = runner.invoke(main, ["run", "--out", "from-api"], env=env)
    exported = runner.invoke(main, ["export", "-o", "users.csv"], env=env)
    from_file = runner.invoke(
        main, ["run", "--input", "users.csv", "--out", "from-file"], env=env
    )

    assert exported.exit_code == 0, exported.output
    assert direct.exit_code == from_file.exit_code, direct.output + from_file.output
    api_files = sorted(p.name for p in (tmp_path / "from-api").glob("0*.csv"))
    file_files = sorted(p.name for p in (tmp_path / "from-file").glob("0*.csv"))
    assert api_files and api_files == file_files
    for name in api_files:
        assert (tmp_path / "from-api" / name).read_bytes() == (
            tmp_path / "from-file" / name
        ).read_bytes()
    rejects = "rejects.csv"
    assert (tmp_path / "from-api" / rejects).exists()
    for output in (direct, exported, from_file):
        assert TOKEN not in output.output


def test_export_is_a_command_of_okta2hrmos(okta: FakeOkta, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "-o", str(tmp_path / "users.csv"), "--token-env", "NOPE"],
        env=okta_env(okta.url),
    )  # fmt: skip

    assert result.exit_code == 2
    assert "set NOPE to an API token" in result.stderr
