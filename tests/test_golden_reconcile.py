"""Golden reconciliation: the sample export against an HRMOS export of it.

The export (tests/fixtures/hrmos-export/, described in its README) holds 40
of the sample's people, three with an older title, three Okta leavers, two
people gone from Okta, a retired one, a held one and a conflict. Set
OKTA2HRMOS_UPDATE_GOLDEN=1 to rewrite the expected files after a change you
have checked by eye.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from .conftest import FIXTURES, REPOSITORY
from .test_golden import MODIFIED, check_golden

GOLDEN = REPOSITORY / "tests" / "golden" / "reconcile"
SAMPLE = REPOSITORY / "sample_data" / "okta_users.csv"
EXPORT = FIXTURES / "hrmos-export" / "sample_export.csv"
DAY = "2027-04-01"
EDIT = "02-hrmos-core-employees-edit-業務情報-部署・役職"
PACKAGE_FILES = [
    "01-hrmos-core-employees.csv",
    "01-hrmos-core-employees.1-trial-row.csv",
    "01-hrmos-core-employees.2-other-rows.csv",
    f"{EDIT}.csv",
    f"{EDIT}.1-trial-row.csv",
    f"{EDIT}.2-other-rows.csv",
    "03-hrmos-core-leavers-okta-date.csv",
    "03-hrmos-core-leavers-okta-date.1-trial-row.csv",
    "03-hrmos-core-leavers-okta-date.2-other-rows.csv",
    "04-hrmos-core-leavers-placeholder-date.csv",
    "04-hrmos-core-leavers-placeholder-date.1-trial-row.csv",
    "04-hrmos-core-leavers-placeholder-date.2-other-rows.csv",
    "summary.txt",
    "README.md",
    "review.xlsx",
    "manifest.json",
]


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "okta_users.csv").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "current.csv").write_bytes(EXPORT.read_bytes())
    for name in ("okta_users.csv", "current.csv"):
        os.utime(tmp_path / name, (MODIFIED, MODIFIED))


def run(invoke, out="package", *extra):
    return invoke(
        "run",
        "--input",
        "okta_users.csv",
        "--hrmos-export",
        "current.csv",
        "--effective-date",
        DAY,
        "--out",
        out,
        *extra,
    )


def csv_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.mark.parametrize("name", PACKAGE_FILES)
def test_reconciled_package_matches_golden_bytes(invoke, inputs, tmp_path, name):
    result = run(invoke, "package", "--include-leavers")
    assert result.exit_code == 1, result.stderr
    check_golden(tmp_path / "package" / name, GOLDEN / name)


def test_reconciled_package_has_no_other_file(invoke, inputs, tmp_path):
    """rejects.csv and findings.csv are the sample's own golden files."""
    run(invoke, "package", "--include-leavers")
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == sorted(
        [*PACKAGE_FILES, "rejects.csv", "findings.csv"]
    )


def test_only_new_people_are_registered_and_only_changes_edited(
    invoke, inputs, tmp_path
):
    result = run(invoke)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Against HRMOS (44 active there): 5 new, 3 changed, 34 unchanged, "
        "5 leaver, 2 conflict; 1 retired, 1 held."
    )
    package = tmp_path / "package"
    new = [row[0] for row in csv_rows(package / "01-hrmos-core-employees.csv")[1:]]
    assert new == ["000435", "000442", "000456", "000463", "000470"]
    assert "000428" not in new  # the conflict
    edits = csv_rows(package / f"{EDIT}.csv")
    assert [(row[0], row[1], row[-1]) for row in edits[1:]] == [
        ("000120", "2027/04/01", "部長"),
        ("000141", "2027/04/01", "係長"),
        ("000330", "2027/04/01", "=課長代理"),
    ]
    # Leavers are listed, but without --include-leavers written to no file.
    assert not list(package.glob("*leavers*"))
    everything = b"".join(p.read_bytes() for p in package.glob("0*.csv"))
    assert b"000999" not in everything and b"000428" not in everything


def test_diff_prints_counts_and_field_changes(invoke, inputs):
    result = invoke(
        "diff",
        "okta_users.csv",
        "--hrmos-export",
        "current.csv",
        "--effective-date",
        DAY,
    )
    assert result.exit_code == 1
    expected = GOLDEN / "diff.txt"
    if os.environ.get("OKTA2HRMOS_UPDATE_GOLDEN"):
        expected.write_text(result.stdout)
    assert result.stdout == expected.read_text()
    assert "changed   000120  役職: 次長 → 部長" in result.stdout
    assert "leaver    000407  proposed 退職日 2026-07-27" in result.stdout


def test_dry_run_writes_nothing_and_exits_1_when_changes_are_pending(
    invoke, inputs, tmp_path
):
    result = run(invoke, "package", "--dry-run")
    assert result.exit_code == 1
    assert not (tmp_path / "package").exists()
    assert "would write 01-hrmos-core-employees.csv: 5 rows" in result.stdout
    assert f"would write {EDIT}.csv: 3 rows" in result.stdout
    assert "changed   000330  役職: 係長 → =課長代理" in result.stdout


def test_running_twice_gives_the_same_package_but_the_manifest_time(
    invoke, inputs, tmp_path
):
    run(invoke, "first", "--include-leavers")
    run(invoke, "second", "--include-leavers")
    for produced in (tmp_path / "first").iterdir():
        if produced.name != "manifest.json":
            again = (tmp_path / "second" / produced.name).read_bytes()
            assert produced.read_bytes() == again, produced.name
    first, second = (
        json.loads((tmp_path / name / "manifest.json").read_text())
        for name in ("first", "second")
    )
    for manifest in (first, second):
        manifest.pop("created_at")
        manifest["command"] = [
            w for w in manifest["command"] if w not in ("first", "second")
        ]
    assert first == second
