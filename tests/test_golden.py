"""Golden cases: the shipped sample export in, the exact package bytes out.

Set OKTA2HRMOS_UPDATE_GOLDEN=1 to rewrite the expected files after a change
you have checked by eye.
"""

from __future__ import annotations

import os

import pytest

from .conftest import REPOSITORY

GOLDEN = REPOSITORY / "tests" / "golden"
SAMPLE = REPOSITORY / "sample_data" / "okta_users.csv"
PACKAGE_FILES = [
    "01-hrmos-core-employees.csv",
    "rejects.csv",
    "findings.csv",
    "summary.txt",
]


@pytest.mark.parametrize("name", PACKAGE_FILES)
def test_sample_package_matches_golden_bytes(invoke, tmp_path, name):
    (tmp_path / "okta_users.csv").write_bytes(SAMPLE.read_bytes())
    result = invoke("run", "--input", "okta_users.csv", "--out", "package")
    assert result.exit_code == 1, result.stderr
    produced = (tmp_path / "package" / name).read_bytes()
    expected = GOLDEN / "sample" / name
    if os.environ.get("OKTA2HRMOS_UPDATE_GOLDEN"):
        expected.write_bytes(produced)
    assert produced == expected.read_bytes()


def test_sample_summary_line(invoke):
    result = invoke("run", "--input", SAMPLE, "--out", "package")
    assert result.stderr.strip().splitlines()[-1] == (
        "56 rows read: 46 written, 8 rejected, 2 blank dropped; "
        "6 errors, 4 warnings, 5 cleaned."
    )
