"""The hand-off package: review workbook, README, manifest, trial files, leftovers."""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from okta2hrmos import handoff, reconcile
from okta2hrmos.templates import load_template
from okta2hrmos.users import read_users
from okta2hrmos.validate import validate_many

HEADER = "id,status,login,firstName,lastName,email,employeeNumber,department,title"
ROWS = [
    "00u1,ACTIVE,taro@example.test,太郎,山田,taro@example.test,0012,第Ⅱ営業部,=1+2",
    "00u2,ACTIVE,hanako@example.test,花子,鈴木,hanako@example.test,1001,開発部,12345678901234567890",
    "00u3,ACTIVE,jiro@example.test,次郎,,jiro@example.test,0042,人事部,2024/04/01",
    "00u4,ACTIVE,saburo@example.test,三郎,佐藤,saburo@example.test,0043,人事部,0.5",
]


def csv_rows(path) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    )


@pytest.fixture
def validations(write_file):
    path = write_file("users.csv", "\n".join([HEADER, *ROWS]) + "\n")
    return validate_many(read_users(path), [load_template("hrmos-core-employees")])


@pytest.fixture
def package(tmp_path, validations):
    """Write a package (no reconciliation) into tmp_path/package."""

    def write(folder="package", **options):
        out = tmp_path / folder
        with handoff.package_folder(out) as staging:
            made = handoff.write_package(
                staging,
                validations,
                command=["okta2hrmos", "run", "--input", "users.csv"],
                inputs=[("okta-users", tmp_path / "users.csv")],
                **options,
            )
        return out, made

    return write


def test_review_keeps_formulas_zeros_long_numbers_and_dates_as_text(package):
    out, _ = package()
    sheet = openpyxl.load_workbook(out / "review.xlsx")["01-hrmos-core-employees"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["社員コード", "姓", "名", "メールアドレス", "部署", "役職"]
    assert rows[1][0] == "0012" and rows[1][5] == "=1+2"
    assert rows[2][0] == "1001" and rows[2][5] == "12345678901234567890"
    assert rows[3][5] == "0.5"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type == "s", cell.coordinate
            assert cell.number_format == "@"
    # No formula anywhere in the workbook's XML.
    with zipfile.ZipFile(out / "review.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(name) for name in sheets)


def test_review_highlights_the_problem_cells_of_rejects(package):
    out, _ = package()
    sheet = openpyxl.load_workbook(out / "review.xlsx")["却下 Rejects"]
    header = [cell.value for cell in sheet[1]]
    row = [cell for cell in sheet[2]]
    problem = row[header.index("lastName")]
    assert problem.fill.fgColor.rgb.endswith("FFC7CE")
    assert "missing-required" in problem.comment.text
    assert row[header.index("login")].fill.fgColor.rgb in (None, "00000000")
    assert row[header.index("okta2hrmos_row")].value == "4"


def test_review_has_a_summary_sheet_first(package):
    out, _ = package()
    workbook = openpyxl.load_workbook(out / "review.xlsx")
    assert workbook.sheetnames == [
        "概要 Summary",
        "01-hrmos-core-employees",
        "却下 Rejects",
    ]
    summary = {
        row[1].value: row[2].value
        for row in workbook["概要 Summary"].iter_rows(min_row=2)
    }
    assert summary["rows read"] == "4" and summary["rejected"] == "1"


def test_the_same_input_gives_the_same_bytes_but_for_the_manifest_time(package):
    first, _ = package("first", now=datetime(2026, 1, 1, tzinfo=UTC))
    second, _ = package("second", now=datetime(2026, 2, 2, tzinfo=UTC))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name != "manifest.json":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    one = json.loads((first / "manifest.json").read_text())
    two = json.loads((second / "manifest.json").read_text())
    assert one.pop("created_at") == "2026-01-01T00:00:00Z"
    assert two.pop("created_at") == "2026-02-02T00:00:00Z"
    assert one == two


def test_the_workbook_carries_a_fixed_creation_time(package):
    out, _ = package()
    with zipfile.ZipFile(out / "review.xlsx") as archive:
        core = archive.read("docProps/core.xml").decode()
        stamps = {info.date_time for info in archive.infolist()}
    assert "2000-01-01T00:00:00Z" in core
    assert stamps == {(1980, 1, 1, 0, 0, 0)}


def test_every_file_is_private(package):
    out, made = package()
    assert sorted(made.names) == sorted(p.name for p in out.iterdir())
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_manifest_records_provenance_counts_and_hashes(package, tmp_path):
    out, _ = package(effective_date=date(2027, 4, 1))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["okta2hrmos"]
    assert manifest["command"] == ["okta2hrmos", "run", "--input", "users.csv"]
    assert manifest["effective_date"] == "2027-04-01"
    [source] = manifest["inputs"]
    assert source["sha256"] == handoff.file_sha256(tmp_path / "users.csv")
    [template] = manifest["templates"]
    assert template["name"] == "hrmos-core-employees"
    assert template["sha256"] == load_template("hrmos-core-employees").sha256
    assert manifest["counts"] == {
        "read": 4,
        "dropped_blank": 0,
        "rejected": 1,
        "accepted": 3,
        "written": {"01-hrmos-core-employees.csv": 3},
    }
    files = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    assert "manifest.json" not in files
    assert set(files) == {p.name for p in out.iterdir()} - {"manifest.json"}
    for name, digest in files.items():
        assert handoff.file_sha256(out / name) == digest


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["--token", "00abc"], ["--token", "***"]),
        (["--api-token=00abc", "-q"], ["--api-token=***", "-q"]),
        (
            ["--client-secret", "s", "--out", "x"],
            ["--client-secret", "***", "--out", "x"],
        ),
        (
            ["--org-url", "https://me:pw@acme.okta.com"],
            ["--org-url", "https://***@acme.okta.com"],
        ),
        (["--input", "users.csv"], ["--input", "users.csv"]),
        (["--token-env", "MY_TOKEN"], ["--token-env", "MY_TOKEN"]),
    ],
)
def test_secrets_never_reach_the_command_line_record(argv, shown):
    assert handoff.safe_command(argv) == shown


def test_the_one_row_trial_files_add_up_to_the_whole(package):
    out, made = package()
    assert made.trial == [
        "01-hrmos-core-employees.first-row.csv",
        "01-hrmos-core-employees.other-rows.csv",
    ]
    whole = csv_rows(out / "01-hrmos-core-employees.csv")
    first = csv_rows(out / made.trial[0])
    others = csv_rows(out / made.trial[1])
    assert first[0] == others[0] == whole[0]
    assert len(first) == 2
    assert first[1:] + others[1:] == whole[1:]


def test_readme_gives_counts_reasons_steps_and_warnings_in_both_languages(package):
    out, _ = package()
    text = (out / "README.md").read_text()
    japanese, english = text.split("## English")
    for part in (japanese, english):
        assert "01-hrmos-core-employees.csv" in part
        assert "社員リスト > 社員の操作 > **社員の一括登録**" in part
        assert "`missing-required` | 1" in part
        assert "first-row.csv" in part
        assert "`000120`" in part and "Shift_JIS" in part
    assert "Excel で開いて保存しないでください" in japanese
    assert "do not open and re-save the CSV files in Excel" in english
    assert "読み込んだ行: 4" in japanese and "rows read from Okta: 4" in english
    assert "formula-like" in japanese


def test_leftovers_of_the_previous_package_are_removed(package, tmp_path):
    out, _ = package()
    stale = out / "02-hrmos-core-employees-edit.csv"
    stale.write_text("old")
    keep = out / "my-notes.txt"
    keep.write_text("mine")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"].append({"name": stale.name, "sha256": "", "bytes": 3})
    manifest["files"].append({"name": "../outside.txt", "sha256": "", "bytes": 0})
    (out / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "outside.txt").write_text("outside")

    package()
    assert not stale.exists()
    assert keep.read_text() == "mine"
    assert (tmp_path / "outside.txt").exists()


def test_a_failed_run_removes_nothing(package):
    out, _ = package()
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(RuntimeError), handoff.package_folder(out):
        raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == before


def test_with_a_reconciliation_files_are_numbered_in_upload_order(
    tmp_path, write_file, validations
):
    export = write_file(
        "export.csv",
        "社員コード,姓,名,メールアドレス,部署,役職,退職日\n"
        "0012,山田,太郎,taro@example.test,第Ⅱ営業部,部長,\n"
        "0099,田中,一郎,ichiro@example.test,開発部,,\n",
    )
    templates = [validations[0].template]
    result = reconcile.reconcile(
        validations, reconcile.read_export(export, templates), date(2027, 4, 1)
    )
    files = handoff.plan(validations, result)
    assert [(f.number, f.kind, f.stem) for f in files] == [
        (1, "register", "01-hrmos-core-employees"),
        (2, "edit", "02-hrmos-core-employees-edit"),
    ]
    with_leavers = handoff.plan(validations, result, include_leavers=True)
    assert [f.stem for f in with_leavers][-1] == "03-hrmos-core-leavers"

    out = tmp_path / "package"
    with handoff.package_folder(out) as staging:
        handoff.write_package(
            staging,
            validations,
            result,
            include_leavers=False,
            effective_date=date(2027, 4, 1),
        )
    assert csv_rows(out / "02-hrmos-core-employees-edit.csv") == [
        ["社員コード", "適用日", "姓", "名", "メールアドレス", "部署", "役職"],
        [
            "0012",
            "2027/04/01",
            "山田",
            "太郎",
            "taro@example.test",
            "第Ⅱ営業部",
            "=1+2",
        ],
    ]
    assert not (out / "03-hrmos-core-leavers.csv").exists()
    workbook = openpyxl.load_workbook(out / "review.xlsx")
    assert "02-hrmos-core-employees-edit" in workbook.sheetnames
    edit = workbook["02-hrmos-core-employees-edit"]
    changed = edit["G2"]
    assert changed.value == "=1+2" and changed.data_type == "s"
    assert "部長" in changed.comment.text
    leavers = [
        [c.value for c in row] for row in workbook["退職候補 Leavers"].iter_rows()
    ]
    assert leavers[0][:4] == ["社員コード", "退職日 (案 / proposed)", "理由", "reason"]
    assert leavers[1][:4] == [
        "0099",
        "2027/04/01",
        "Okta のエクスポートにいません",
        "not in the Okta export",
    ]
    assert "not written" in leavers[1][4]
    readme = (out / "README.md").read_text()
    assert "**社員の一括編集(ファイル)**" in readme
    assert "2027/04/01" in readme
    assert "--include-leavers" in readme
    summary = (out / "summary.txt").read_text()
    assert "changed:        1" in summary and "leaver:         1" in summary
