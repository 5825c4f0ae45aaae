"""Golden cases: the shipped sample export in, the exact package bytes out.

Set OKTA2HRMOS_UPDATE_GOLDEN=1 to rewrite the expected files after a change
you have checked by eye.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .conftest import REPOSITORY

GOLDEN = REPOSITORY / "tests" / "golden"
SAMPLE = REPOSITORY / "sample_data" / "okta_users.csv"
# The inputs' modified time, which the README and the manifest show.
MODIFIED = datetime(2026, 12, 3, 0, 30, tzinfo=UTC).timestamp()
PACKAGE_FILES = [
    "01-hrmos-core-employees.csv",
    "01-hrmos-core-employees.1-trial-row.csv",
    "01-hrmos-core-employees.2-other-rows.csv",
    "rejects.csv",
    "findings.csv",
    "summary.txt",
    "README.md",
    "review.xlsx",
    "manifest.json",
]


def comparable(name: str, data: bytes) -> bytes:
    """The bytes to compare; for the manifest, all but three fields.

    Its time is the one field that differs between runs; the version and the
    templates' hashes change with every release and template edit, and are
    checked against the real ones in test_handoff instead.
    """
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    del manifest["created_at"]
    manifest["okta2hrmos"] = "VERSION"
    for template in manifest["templates"]:
        template["sha256"] = "SHA-256 of the template file"
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()


def check_golden(produced: Path, expected: Path) -> None:
    data = comparable(produced.name, produced.read_bytes())
    if os.environ.get("OKTA2HRMOS_UPDATE_GOLDEN"):
        expected.write_bytes(data)
    assert data == expected.read_bytes()


@pytest.mark.parametrize("name", PACKAGE_FILES)
def test_sample_package_matches_golden_bytes(invoke, tmp_path, name):
    (tmp_path / "okta_users.csv").write_bytes(SAMPLE.read_bytes())
    os.utime(tmp_path / "okta_users.csv", (MODIFIED, MODIFIED))
    result = invoke("run", "--input", "okta_users.csv", "--out", "package")
    assert result.exit_code == 1, result.stderr
    check_golden(tmp_path / "package" / name, GOLDEN / "sample" / name)


def test_sample_package_has_no_other_file(invoke, tmp_path):
    invoke("run", "--input", SAMPLE, "--out", "package")
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == sorted(
        PACKAGE_FILES
    )


def test_sample_summary_line(invoke):
    result = invoke("run", "--input", SAMPLE, "--out", "package")
    assert result.stderr.strip().splitlines()[-1] == (
        "56 rows read: 46 written, 8 rejected, 2 blank dropped; "
        "6 errors, 4 warnings, 5 cleaned."
    )
