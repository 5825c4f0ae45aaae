"""The hand-off package: review workbook, README, manifest, trial files, leftovers."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import zipfile
from datetime import UTC, date, datetime
from types import SimpleNamespace

import openpyxl
import pytest

from okta2hrmos import handoff, reconcile
from okta2hrmos.templates import load_template
from okta2hrmos.users import read_users
from okta2hrmos.validate import validate_many

from .conftest import FIXTURES, REPOSITORY

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
    [planned] = made.files
    assert planned.trial == [
        "01-hrmos-core-employees.1-trial-row.csv",
        "01-hrmos-core-employees.2-other-rows.csv",
    ]
    whole = csv_rows(out / "01-hrmos-core-employees.csv")
    trial = csv_rows(out / planned.trial[0])
    others = csv_rows(out / planned.trial[1])
    assert trial[0] == others[0] == whole[0]
    assert len(trial) == 2
    assert sorted(trial[1:] + others[1:]) == sorted(whole[1:])
    # The others keep the file's order.
    assert others[1:] == [row for row in whole[1:] if row != trial[1]]


def test_the_trial_person_is_the_one_with_the_most_filled_cells(tmp_path, write_file):
    """The first person has no 役職, so the trial is the second, who has all."""
    rows = [
        "00u1,ACTIVE,a@example.test,一,山田,a@example.test,0001,開発部,",
        "00u2,ACTIVE,b@example.test,二,山田,b@example.test,0002,開発部,主任",
        "00u3,ACTIVE,c@example.test,三,山田,c@example.test,0003,,",
    ]
    path = write_file("users.csv", "\n".join([HEADER, *rows]) + "\n")
    validations = validate_many(
        read_users(path), [load_template("hrmos-core-employees")]
    )
    with handoff.package_folder(tmp_path / "package") as staging:
        made = handoff.write_package(staging, validations)
    [planned] = made.files
    assert planned.trial_position == 1
    out = tmp_path / "package"
    assert [row[0] for row in csv_rows(out / planned.trial[0])[1:]] == ["0002"]
    assert [row[0] for row in csv_rows(out / planned.trial[1])[1:]] == [
        "0001",
        "0003",
    ]
    readme = (out / "README.md").read_text()
    assert "`01-hrmos-core-employees.1-trial-row.csv` (0002 山田 二)" in readme


def test_readme_gives_counts_reasons_steps_and_warnings_in_both_languages(package):
    out, _ = package()
    text = (out / "README.md").read_text()
    japanese, english = text.split("## English")
    for part in (japanese, english):
        assert "01-hrmos-core-employees.csv" in part
        assert "社員リスト > 社員の操作 > **社員の一括登録**" in part
        assert "`missing-required` | 1" in part
        assert "1-trial-row.csv" in part
        assert "`000120`" in part and "Shift_JIS" in part
    assert "Excel で開いて保存しないでください" in japanese
    assert "do not open and re-save the CSV files in Excel" in english
    assert "Okta のファイルの行: 4" in japanese
    assert "rows of the Okta file: 4" in english
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
        (2, "edit", "02-hrmos-core-employees-edit-業務情報-部署・役職"),
    ]
    with_leavers = handoff.plan(validations, result, include_leavers=True)
    # 0099 is absent from Okta: only the placeholder file has people.
    assert [f.stem for f in with_leavers][
        -1
    ] == "03-hrmos-core-leavers-placeholder-date"

    out = tmp_path / "package"
    with handoff.package_folder(out) as staging:
        handoff.write_package(
            staging,
            validations,
            result,
            include_leavers=False,
            effective_date=date(2027, 4, 1),
        )
    assert csv_rows(out / "02-hrmos-core-employees-edit-業務情報-部署・役職.csv") == [
        ["社員コード", "適用日", "部署", "役職"],
        ["0012", "2027/04/01", "第Ⅱ営業部", "=1+2"],
    ]
    assert not (out / "03-hrmos-core-leavers.csv").exists()
    workbook = openpyxl.load_workbook(out / "review.xlsx")
    sheet = "02-…-employees-edit-業務情報-部署・役職"
    assert sheet in workbook.sheetnames
    changed = workbook[sheet]["D2"]
    assert changed.value == "=1+2" and changed.data_type == "s"
    # A changed value that is also warned about is yellow, not green.
    assert changed.fill.fgColor.rgb.endswith("FFEB9C")
    assert "部長" in changed.comment.text and "formula-like" in changed.comment.text
    plain = workbook["01-hrmos-core-employees"]
    changes = workbook["変更 Changes"]
    assert [c.value for c in changes[2]] == [
        "0012",
        "山田 太郎",
        "業務情報 > 部署・役職",
        "役職",
        "部長",
        "=1+2",
        "02-hrmos-core-employees-edit-業務情報-部署・役職.csv",
    ]
    assert changes["F2"].fill.fgColor.rgb.endswith("FFEB9C")
    assert "formula-like" in changes["F2"].comment.text
    assert changes["E2"].comment is None
    assert [c.value for c in plain["A"]] == ["社員コード", "1001", "0043"]
    leavers = [
        [c.value for c in row] for row in workbook["退職候補 Leavers"].iter_rows()
    ]
    assert leavers[0][:8] == [
        "社員コード",
        "氏名 / name",
        "退職日 (案 / proposed)",
        "日付の根拠",
        "where the date comes from",
        "理由",
        "reason",
        "ファイル / file",
    ]
    assert leavers[1][:7] == [
        "0099",
        "田中 一郎",
        "2027/04/01",
        "Okta にいないため、適用日 (本当に退職したか確かめてください)",
        "not in the Okta export: the effective date (check they really left)",
        "Okta のエクスポートにいません",
        "not in the Okta export",
    ]
    assert "not written" in leavers[1][7]
    readme = (out / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert (
        "Admin > 社員リスト > 社員の操作 > **社員の一括編集(ファイル)** を開き、"
        "セクション **業務情報 > 部署・役職** を選んで取り込みます。" in japanese
    )
    assert "   - 見出し: 社員コード, 適用日, 部署, 役職。" in japanese
    assert "   - HRMOS が 1 件取り込めば成功です。" in japanese
    assert "**適用日 2027/04/01** は、新しい値が HRMOS で有効になる日です" in japanese
    assert "choose the section **業務情報 > 部署・役職** and import it." in english
    assert "   - it worked when HRMOS reports 1 row imported." in english
    assert "--include-leavers" in readme
    # The formula-like title is named with what to do about it.
    assert "0012 山田 太郎 (Okta の行 2、役職 `=1+2`)" in japanese
    assert "ほぼ確実に Okta での入力ミスです" in japanese
    assert "almost certainly a typo in Okta" in english
    summary = (out / "summary.txt").read_text()
    assert "changed:        1" in summary and "leaver:         1" in summary


@pytest.fixture
def sample_package(invoke, tmp_path):
    """The sample against the HRMOS fixture, inputs with a known modified time."""
    stamp = datetime(2026, 12, 3, 1, 30, tzinfo=UTC).timestamp()
    for name, source in (
        ("okta_users.csv", REPOSITORY / "sample_data" / "okta_users.csv"),
        ("current.csv", FIXTURES / "hrmos-export" / "sample_export.csv"),
    ):
        (tmp_path / name).write_bytes(source.read_bytes())
        os.utime(tmp_path / name, (stamp, stamp))
    result = invoke(
        "run",
        "--input",
        "okta_users.csv",
        "--hrmos-export",
        "current.csv",
        "--effective-date",
        "2026-12-04",
        "--include-leavers",
        "--out",
        "package",
    )
    assert result.exit_code == 1, result.stderr
    return tmp_path / "package"


def test_readme_names_the_inputs_with_their_time(sample_package):
    readme = (sample_package / "README.md").read_text()
    assert (
        "- Okta のユーザー: `okta_users.csv` (最終更新 2026/12/03 10:30 日本時間)"
        in (readme)
    )
    assert "- HRMOS employees: `current.csv` (last modified 2026/12/03 10:30" in readme
    manifest = json.loads((sample_package / "manifest.json").read_text())
    assert [i["modified"] for i in manifest["inputs"]] == ["2026-12-03T01:30:00Z"] * 2
    summary = (sample_package / "summary.txt").read_text()
    assert "compared with HRMOS (effective date 2026/12/04):" in summary
    assert "HRMOS export:   current.csv, 45 people, 44 active" in summary


def test_readme_lists_every_warning_and_cleaned_value_truthfully(sample_package):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    for code in ("deprovisioned-user", "formula-like", "converted-kana"):
        assert f"- `{code}` (" in japanese and f"- `{code}` (" in english
    assert "- `trimmed-value` (2 people)" in english
    # The leavers are not registered, and the README says so, not the opposite.
    assert "registering them makes an active employee" not in english
    assert "000407 太田 学 (Okta row 43, status `DEPROVISIONED`): leavers" in english
    assert "000477 中島 陽太 (Okta row 54, メールアドレス" in english
    findings = (sample_package / "findings.csv").read_text("utf-8-sig")
    assert "registering creates an active employee, so record" not in findings
    # Both trimmed people were rejected, so no file holds their cleaned value.
    assert (
        "- `trimmed-value` (2 people): spaces or invisible characters at the ends "
        "were removed. **What to do:** nothing to do: the rejected are in no file; "
        "once they are fixed in Okta, the new package holds the cleaned value "
        "(see 5).\n" in english
    )
    assert "却下された人はどのファイルにも入っていません" in japanese
    assert "the file holds the cleaned value" not in readme
    # One kana person is in the registration file, the other unchanged.
    assert (
        "**What to do:** nothing to do: the files hold the cleaned value; why the "
        "others are in no file is at the end of their line.\n" in english
    )


def test_readme_lists_leavers_conflicts_and_held_people_by_name(sample_package):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    # Okta's stamp is UTC, and both languages say so beside the time in Japan.
    assert (
        "| 000407 | 太田 学 | 2026/07/27 | Okta で無効にされた日 (日本時間 "
        "2026/07/27 05:43。statusChanged 2026-07-26T20:43:12.939Z は UTC) |" in japanese
    )
    assert (
        "| 000407 | 太田 学 | 2026/07/27 | the day Okta deactivated the user, in "
        "Japan (2026/07/27 05:43 Japan time; statusChanged "
        "2026-07-26T20:43:12.939Z is UTC) |" in english
    )
    assert (
        "| 000060 | 前田 聡 | 2026/12/04 | not in the Okta export: the effective "
        "date (check they really left) |" in english
    )
    assert "| 000428 | 岡本 玲奈 |" in english and "| 000999 | 岡本 玲奈 |" in english
    assert '"Okta row" is a row number of `okta_users.csv`' in english
    assert "「HRMOS の行」は `current.csv` の行番号です (どちらも見出しが 1 行目)" in (
        japanese
    )
    assert "| 000288 | 阿部 千尋 | 43 | 26 | `invalid-date` |" in english
    assert "Okta 側の行が却下されたため照合していません" not in readme


def test_readme_flags_new_people_with_surprising_hire_dates(sample_package):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert "- `future-hire-date` (1 person):" in english
    assert "  - 000456 原田 航 (入社日 2027/01/04)" in english
    assert "- `old-hire-date` (4 人):" in japanese
    sheet = openpyxl.load_workbook(sample_package / "review.xlsx")[
        "01-hrmos-core-employees"
    ]
    header = [c.value for c in sheet[1]]
    hired = [row[header.index("入社日")] for row in sheet.iter_rows(min_row=2)]
    marked = {c.value: c.comment.text for c in hired if c.comment}
    assert "future-hire-date" in marked["2027/01/04"]
    assert "old-hire-date" in marked["2010/02/01"]
    assert all(c.fill.fgColor.rgb.endswith("FFEB9C") for c in hired)


def test_review_explains_the_summary_and_formats_leavers_dates(sample_package):
    workbook = openpyxl.load_workbook(sample_package / "review.xlsx")
    assert workbook.sheetnames == [
        "概要 Summary",
        "01-hrmos-core-employees",
        "02-…-employees-edit-業務情報-部署・役職",
        "03-hrmos-core-leavers-okta-date",
        "04-…-leavers-placeholder-date",
        "却下 Rejects",
        "変更 Changes",
        "退職候補 Leavers",
        "要確認 Conflicts",
        "保留 Held",
    ]
    readme = (sample_package / "README.md").read_text()
    for name in workbook.sheetnames:
        assert f"- {name}: " in readme
    summary = list(workbook["概要 Summary"].iter_rows(min_row=2, values_only=True))
    assert all(len(row) == 5 and row[3] and row[4] for row in summary)
    values = {row[1]: row[2] for row in summary}
    assert values["effective date"] == "2026/12/04"
    assert values["skipped"] == "0" and values["held"] == "1"
    leavers = workbook["退職候補 Leavers"]
    header = [c.value for c in leavers[1]]
    hired = [
        row[header.index("入社日 (HRMOS)")]
        for row in leavers.iter_rows(min_row=2, values_only=True)
    ]
    assert hired == [
        "2025/04/01",
        "2021/04/01",
        "2014/05/01",
        "2011/10/01",
        "2013/04/01",
    ]


def test_readme_steps_give_the_counts_with_and_without_the_trial(sample_package):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert "   - HRMOS が 5 件取り込めば成功です (1 人で試すときは 1 件と 4 件)。" in (
        japanese
    )
    assert "   - it worked when HRMOS reports 3 rows imported (1 and 2 when" in english
    assert "000169 中村 さくら (Okta row 9, メイ `さくら`): unchanged (in no file)" in (
        english
    )
    assert "The menu and screen names are those of HRMOS's help pages" in english


def test_a_file_of_one_section_goes_through_the_edit_screen(tmp_path, write_file):
    """The account file is for people just registered, one section: 一括編集."""
    path = write_file("users.csv", "\n".join([HEADER, *ROWS]) + "\n")
    templates = [
        load_template("hrmos-core-employees"),
        load_template("hrmos-core-account"),
    ]
    validations = validate_many(read_users(path), templates)
    with handoff.package_folder(tmp_path / "package") as staging:
        made = handoff.write_package(staging, validations)
    assert [(f.kind, f.section, f.screen) for f in made.files] == [
        ("register", "", "社員の一括登録"),
        ("register", "アカウント > 基本情報", "社員の一括編集(ファイル)"),
    ]
    readme = (tmp_path / "package" / "README.md").read_text()
    assert (
        "`02-hrmos-core-account.csv` (3 people): open Admin > 社員リスト > 社員の操作 "
        "> **社員の一括編集(ファイル)**, choose the section **アカウント > 基本情報**"
        in readme
    )
    assert "goes in after the registration file" in readme


def test_readme_says_what_to_do_about_a_missing_recommended_email(tmp_path, write_file):
    rows = [
        "00u1,ACTIVE,a@example.test,一,山田,,0001,開発部,主任",
        "00u2,ACTIVE,b@example.test,二,山田,b@example.test,0002,開発部,主任",
    ]
    path = write_file("users.csv", "\n".join([HEADER, *rows]) + "\n")
    validations = validate_many(
        read_users(path), [load_template("hrmos-core-employees")]
    )
    with handoff.package_folder(tmp_path / "package") as staging:
        handoff.write_package(staging, validations)
    readme = (tmp_path / "package" / "README.md").read_text()
    assert (
        "- `missing-recommended` (1 person): a recommended value (such as the "
        "email) is empty. **What to do:** they are written with it empty" in readme
    )
    assert "  - 0001 山田 一 (Okta row 2, メールアドレス `''`)" in readme
    # A missing email holds nothing back, so the checklist leaves it out.
    english = readme.split("## English")[1]
    assert not any("missing-recommended" in item for item in checklist(english))
    assert len(checklist(english)) == 3


def test_a_deactivation_stamp_with_its_own_offset_is_not_called_utc():
    record = SimpleNamespace(
        basis="okta", status_changed="2026-07-27T05:43:00+09:00", reason=""
    )
    japanese, english = handoff.leaving_basis(record)
    assert japanese == (
        "Okta で無効にされた日 (日本時間 2026/07/27 05:43。statusChanged "
        "2026-07-27T05:43:00+09:00)"
    )
    assert "UTC" not in english and "2026/07/27 05:43 Japan time" in english


def test_the_privacy_warning_names_what_the_rejects_really_hold(tmp_path, write_file):
    header = HEADER + ",mobilePhone,streetAddress,manager"
    rows = [
        ROWS[0] + ",090-0000-0000,,",
        # Rejected (no 姓), with an address but no phone or manager.
        "00u3,ACTIVE,jiro@example.test,次郎,,jiro@example.test,0042,人事部,,,港区1-1,",
    ]
    path = write_file("users.csv", "\n".join([header, *rows]) + "\n")
    validations = validate_many(
        read_users(path), [load_template("hrmos-core-employees")]
    )
    with handoff.package_folder(tmp_path / "package") as staging:
        handoff.write_package(staging, validations)
    readme = (tmp_path / "package" / "README.md").read_text()
    assert (
        "`rejects.csv` と `review.xlsx` の 却下 Rejects シートには、却下された人の "
        "Okta の値 (住所など) がすべて入っています。" in readme
    )
    assert (
        "`rejects.csv` and the 却下 Rejects sheet of `review.xlsx` hold every Okta "
        "value of the rejected people, addresses among them." in readme
    )
    assert "電話番号" not in readme.split("\n## ")[0]
    assert "phone" not in readme.split("\n## ")[0]


def test_the_privacy_warning_leaves_out_the_rejects_when_there_are_none(
    tmp_path, write_file
):
    path = write_file("users.csv", "\n".join([HEADER, ROWS[0], ROWS[1]]) + "\n")
    validations = validate_many(
        read_users(path), [load_template("hrmos-core-employees")]
    )
    with handoff.package_folder(tmp_path / "package") as staging:
        handoff.write_package(staging, validations)
    top = (tmp_path / "package" / "README.md").read_text().split("\n## ")[0]
    assert "**This folder holds personal data** (names, emails and more). Keep" in top
    assert "rejects.csv" not in top


def test_leavers_dated_by_okta_and_placeholders_go_to_files_of_their_own(
    sample_package,
):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    dated = "03-hrmos-core-leavers-okta-date"
    placeholder = "04-hrmos-core-leavers-placeholder-date"
    assert [row[0] for row in csv_rows(sample_package / f"{dated}.csv")[1:]] == [
        "000267",
        "000393",
        "000407",
    ]
    assert csv_rows(sample_package / f"{placeholder}.csv")[1:] == [
        ["000060", "2026/12/04", "2026/12/04"],
        ["000061", "2026/12/04", "2026/12/04"],
    ]
    # Which file can usually go in, and that its trial files are held with it.
    assert f"`{dated}.csv` **can usually go in as it is**" in english
    assert (
        f"`{placeholder}.csv` **can usually not go in**: upload it only when HR's "
        "records show that every person in it left, all on 2026/12/04. Otherwise, "
        f"do not upload `{placeholder}.csv`, nor `{placeholder}.1-trial-row.csv` "
        f"and `{placeholder}.2-other-rows.csv` cut from it, whoever they hold."
        in english
    )
    assert f"`{dated}.csv` は**たいていそのまま取り込めます**" in japanese
    assert f"`{placeholder}.csv` は**たいてい取り込めません**" in japanese
    # An 適用日 asked by the screen: one date for the whole file, or none.
    steps = english.split("### 6.")[1]
    dated_step, placeholder_step = steps.split(f"`{dated}.csv` (3 people)")[1].split(
        f"`{placeholder}.csv` (2 people)"
    )
    assert (
        "if the screen asks for an 適用日 too, do not upload this file (its people "
        "have different ones)" in dated_step
    )
    assert "it lies in the past" in dated_step
    assert (
        "if the screen asks for an 適用日 too, enter 2026/12/04 (the 適用日 of "
        "everyone in the file)" in placeholder_step
    )
    assert "it lies in the past" not in placeholder_step
    sheet = openpyxl.load_workbook(sample_package / "review.xlsx")["退職候補 Leavers"]
    assert [(r[0], r[7]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("000267", f"{dated}.csv"),
        ("000393", f"{dated}.csv"),
        ("000407", f"{dated}.csv"),
        ("000060", f"{placeholder}.csv"),
        ("000061", f"{placeholder}.csv"),
    ]


def test_a_leaver_deactivated_without_a_date_gets_a_placeholder_but_not_absent(
    tmp_path, write_file
):
    rows = [ROWS[0], ROWS[1].replace("00u2,ACTIVE", "00u2,DEPROVISIONED")]
    path = write_file("okta.csv", "\n".join([HEADER, *rows]) + "\n")
    validations = validate_many(
        read_users(path), [load_template("hrmos-core-employees")]
    )
    export = write_file(
        "export.csv",
        "社員コード,姓,名,メールアドレス,部署,役職,退職日\n"
        "1001,鈴木,花子,hanako@example.test,開発部,12345678901234567890,\n",
    )
    result = reconcile.reconcile(
        validations,
        reconcile.read_export(export, [validations[0].template]),
        date(2027, 4, 1),
    )
    with handoff.package_folder(tmp_path / "package") as staging:
        made = handoff.write_package(staging, validations, result, include_leavers=True)
    [leavers] = [f for f in made.files if f.kind == "leavers"]
    assert leavers.stem == "02-hrmos-core-leavers-placeholder-date"
    readme = (tmp_path / "package" / "README.md").read_text()
    assert "deactivated in Okta without a statusChanged: the effective date" in readme
    assert "Being absent from Okta does not prove they left" not in readme
    assert "`02-hrmos-core-leavers-placeholder-date.csv` **can usually not go in**" in (
        readme
    )


def test_notices_on_new_people_are_counted_apart_and_alike_everywhere(sample_package):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert (
        "- notices on new people: 5 (old-hire-date 4, future-hire-date 1), counted "
        "apart from the warnings (see 4)" in english
    )
    assert "- 新規の人の確認事項: 5 (old-hire-date 4, future-hire-date 1)。" in japanese
    assert "**Notices on new people** (5; yellow cells in `review.xlsx`)" in english
    summary = (sample_package / "summary.txt").read_text()
    assert (
        "  notices:        5 on new people (old-hire-date 4, future-hire-date 1)\n"
        in summary
    )
    workbook = openpyxl.load_workbook(sample_package / "review.xlsx")
    values = {
        row[1]: row[2]
        for row in workbook["概要 Summary"].iter_rows(min_row=2, values_only=True)
    }
    assert values["notices on new people"] == "5" and values["warnings"] == "4"
    # The yellow cells of the files are the warnings in a file (one formula-like
    # title; the 3 deactivated people are in no file) and the 5 notices.
    yellow = [
        (sheet.title, cell.coordinate)
        for sheet in workbook.worksheets[1:5]
        for row in sheet.iter_rows()
        for cell in row
        if cell.fill.fgColor.rgb and cell.fill.fgColor.rgb.endswith("FFEB9C")
    ]
    assert len(yellow) == 1 + 5


def test_rejected_people_are_listed_held_in_hrmos_or_left_unregistered(
    sample_package, package
):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    rejects = english.split("### 5.")[1].split("### 6.")[0]
    assert (
        "| 26 | 000288 | 阿部 千尋 | `invalid-date` | there (held: values kept) |"
        in (rejects)
    )
    assert (
        "| 12 | 000190 | 吉田 誠 | `invalid-kana` | not there (stays unregistered) |"
        in rejects
    )
    assert (
        "| 24 | (none) | 池田 美穂 | `missing-required` | unknown (no 社員コード) |"
        in (rejects)
    )
    assert rejects.count("not there (stays unregistered)") == 6
    assert "stay unregistered until your IT admin fixes them in Okta" in rejects
    assert (
        "| 26 | 000288 | 阿部 千尋 | `invalid-date` | いる (保留。HRMOS の値のまま) |"
        in (japanese)
    )
    # Without an HRMOS export nothing tells who is in HRMOS: no such column.
    out, _ = package()
    plain = (out / "README.md").read_text().split("## English")[1]
    assert "| 4 | 0042 | 次郎 | `missing-required` |\n" in plain
    assert "nothing about them reaches HRMOS" in plain


def test_master_values_name_their_files_and_leave_out_formula_like_ones(
    sample_package,
):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert "- 役職: `係長` (01, 02), `主任` (01), `部長` (02)\n" in english
    assert "`=課長代理` (" not in english and "`=課長代理`, " not in english
    assert "`=課長代理` is left out here: it is `formula-like` (above)" in english
    assert "`=課長代理` は `formula-like` (上) のため、ここには挙げていません" in (
        japanese
    )
    assert "do not upload the files that hold it (the numbers after the value" in (
        english
    )
    # The legend says a value to check stays yellow when it changes, as the
    # formula-like new title does on the edit file's sheet.
    assert "a value to check is yellow also when it changes" in english
    sheet = openpyxl.load_workbook(sample_package / "review.xlsx")[
        "02-…-employees-edit-業務情報-部署・役職"
    ]
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == "=課長代理"]
    assert cell.fill.fgColor.rgb.endswith("FFEB9C")
    assert "係長" in cell.comment.text


def test_readme_explains_the_figures_the_admin_meets_in_other_files(sample_package):
    english = (sample_package / "README.md").read_text().split("## English")[1]
    # summary.txt says 6 errors for the 8 rejected, and 45 people in HRMOS.
    summary = (sample_package / "summary.txt").read_text()
    assert "findings: 6 errors" in summary and "45 people, 44 active" in summary
    assert "count findings, not people: one finding can name several people" in (
        english
    )
    assert (
        "Compared with HRMOS (45 people in the HRMOS export, 44 of them active):"
        in (english)
    )
    assert "a relative path starts from the folder okta2hrmos ran in" in english
    # The trial and other-rows files hold the whole file's rows, not its bytes.
    assert "together they hold the whole file's rows (the trial person first" in (
        english
    )
    assert "together they are the whole file" not in english
    assert "the name (the kana too) and the email, retired staff included" in english


def checklist(part: str) -> list[str]:
    """The numbered lines of a README language's checklist."""
    block = part.split("### ")[1]
    return [line for line in block.splitlines() if line[:1].isdigit()]


def test_one_checklist_near_the_top_orders_every_check_with_the_files_it_holds(
    sample_package,
):
    readme = (sample_package / "README.md").read_text()
    japanese, english = readme.split("## English")
    assert english.index("### Checklist before uploading") < english.index("### 1.")
    assert japanese.index("### 取り込む前のチェックリスト") < japanese.index("### 1.")
    items, items_ja = checklist(english), checklist(japanese)
    # Both languages hold the same checks, in the same order, with the same files.
    assert len(items) == len(items_ja) == 9
    for item, item_ja in zip(items, items_ja, strict=True):
        files = sorted(set(re.findall(r"`([^`]+\.csv)`", item)))
        assert files == sorted(set(re.findall(r"`([^`]+\.csv)`", item_ja)))
    edit = "02-hrmos-core-employees-edit-業務情報-部署・役職.csv"
    assert items[0].startswith("1. The file names and times in 1 are the exports")
    assert items[0].endswith("If not, hold back: every file (→ 1).")
    assert items[1].startswith("2. The menus and screens of 6 are in HRMOS")
    assert items[2] == (
        "3. `formula-like` (1 person): none is left (until your IT admin fixes it "
        "in Okta and makes the package again, it counts as a typo). If not, hold "
        f"back: `{edit}` and its two trial files (→ 4)."
    )
    assert items[3].startswith("4. `old-hire-date` (4 people): none is in HRMOS")
    assert items[4].startswith("5. `future-hire-date` (1 person): the 入社日 is right")
    assert "`01-hrmos-core-employees.csv` and its two trial files" in items[4]
    assert items[5].startswith("6. Every 部署, 役職 and like value listed in 4")
    assert items[6].startswith(f"7. Every change in `{edit}`")
    assert "(→ 6, upload step 2)" in items[6]
    assert "03-hrmos-core-leavers-okta-date.csv" in items[7]
    assert "(a placeholder, so this usually fails)" in items[8]
    # The held files' trial files are named wherever a file is held back.
    assert (
        f"do not upload `{edit}`, nor `{edit[:-4]}.1-trial-row.csv` and "
        f"`{edit[:-4]}.2-other-rows.csv` cut from it, whoever they hold" in english
    )
    assert "skip every file the checklist held back, and the two trial files" in (
        english
    )
    assert "Do not upload the file this person is in" not in english


def test_without_hrmos_the_readme_names_no_conflicts_or_held_people(package):
    out, _ = package()
    english = (out / "README.md").read_text().split("## English")[1]
    assert "conflicting" not in english and "held people" not in english
    assert "Once the uploads are done and the rejected people are dealt with" in (
        english
    )
    assert "in `review.xlsx` (those of the files you uploaded): " in english
