"""The command line end to end on files: exit codes, outputs, messages."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

HEADER = "id,status,login,firstName,lastName,email,employeeNumber,department,title"
GOOD = [
    "00u1,ACTIVE,taro@example.test,太郎,山田,taro@example.test,00123,第Ⅱ営業部,部長",
    "00u2,ACTIVE,hanako@example.test,花子,鈴木,hanako@example.test,1001,開発部,主任",
]
BAD = "00u3,ACTIVE,jiro@example.test,次郎,,jiro@example.test,,人事部,"


def csv_rows(path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def users_csv(write_file):
    return write_file("users.csv", "\n".join([HEADER, *GOOD, BAD, ",,,,,,,,"]) + "\n")


def test_validate_exits_1_on_errors_and_writes_the_report(invoke, users_csv, tmp_path):
    result = invoke("validate", users_csv, "--report", "findings.json")
    assert result.exit_code == 1
    assert "missing-required" in result.stderr
    assert (
        "4 rows read: 2 would be written, 1 rejected, 1 blank dropped" in result.stderr
    )
    findings = json.loads((tmp_path / "findings.json").read_text())
    assert {(f["code"], f["column"], tuple(f["row"])) for f in findings} == {
        ("missing-required", "lastName", (4,)),
        ("missing-required", "employeeNumber", (4,)),
    }
    assert result.stdout == ""


def test_validate_exits_0_when_clean(invoke, write_file):
    path = write_file("users.csv", "\n".join([HEADER, *GOOD]) + "\n")
    result = invoke("validate", path, "--report", "findings.csv")
    assert result.exit_code == 0, result.stderr
    assert "0 errors" in result.stderr


def test_report_needs_csv_or_json(invoke, users_csv):
    result = invoke("validate", users_csv, "--report", "findings.txt")
    assert result.exit_code == 2
    assert "FILE.csv or FILE.json" in result.stderr


def test_convert_writes_hrmos_layout_and_rejects(invoke, users_csv, tmp_path):
    result = invoke("convert", users_csv, "-o", "hrmos.csv", "--rejects", "rejects.csv")
    assert result.exit_code == 1

    data = (tmp_path / "hrmos.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    assert csv_rows(tmp_path / "hrmos.csv") == [
        ["社員コード", "姓", "名", "メールアドレス", "部署", "役職"],
        ["00123", "山田", "太郎", "taro@example.test", "第Ⅱ営業部", "部長"],
        ["1001", "鈴木", "花子", "hanako@example.test", "開発部", "主任"],
    ]
    rejects = csv_rows(tmp_path / "rejects.csv")
    assert rejects[0][-3:] == [
        "okta2hrmos_row",
        "okta2hrmos_codes",
        "okta2hrmos_reasons",
    ]
    assert rejects[1][:3] == ["00u3", "ACTIVE", "jiro@example.test"]
    assert rejects[1][-3:-1] == ["4", "missing-required"]
    assert "lastName" in rejects[1][-1] and "employeeNumber" in rejects[1][-1]
    assert "Left out column セイ" in result.stderr
    assert "4 rows read: 2 written, 1 rejected, 1 blank dropped" in result.stderr


def test_convert_puts_rejects_beside_the_output_by_default(invoke, users_csv, tmp_path):
    result = invoke("convert", users_csv, "-o", "out/hrmos.csv")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "hrmos-rejects.csv").exists()


def test_convert_strict_writes_nothing_when_rows_are_rejected(
    invoke, users_csv, tmp_path
):
    result = invoke("convert", users_csv, "-o", "hrmos.csv", "--strict")
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.csv"]


def test_output_files_are_private(invoke, users_csv, tmp_path):
    invoke("convert", users_csv, "-o", "hrmos.csv")
    mode = stat.S_IMODE((tmp_path / "hrmos.csv").stat().st_mode)
    assert mode == 0o600


def test_cp932_input_is_written_as_utf8_unchanged(invoke, write_file, tmp_path):
    text = (
        "login,firstName,lastName,email,employeeNumber,department,division\r\n"
        "a@example.test,誠,髙野,a@example.test,0001,第Ⅱ営業部,①チーム\r\n"
        "b@example.test,健,山﨑,b@example.test,0002,第Ⅱ営業部,①チーム\r\n"
    )
    path = write_file("users.csv", text, encoding="cp932")
    result = invoke("convert", path, "-o", "hrmos.csv")
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(tmp_path / "hrmos.csv")
    assert rows[1] == ["0001", "髙野", "誠", "a@example.test", "第Ⅱ営業部"]
    assert rows[2][1] == "山﨑"


def test_no_float_ever_appears(invoke, write_file, tmp_path):
    """Spreadsheet blank rows must not turn codes into floats like 1001.0."""
    path = write_file("users.csv", "\n".join([HEADER, *GOOD, ",,,,,,,,", ",,,,,,,,"]))
    result = invoke("run", "--input", path, "--out", "package")
    assert result.exit_code == 0, result.stderr
    for produced in (tmp_path / "package").iterdir():
        assert b"1001.0" not in produced.read_bytes()
    assert "1001" in (tmp_path / "package" / "01-hrmos-core-employees.csv").read_text()


def test_unreadable_input_is_one_sentence_exit_2(invoke, write_file):
    path = write_file("users.csv", b"login\n\x81\xff\n")
    result = invoke("convert", path, "-o", "hrmos.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_duplicate_header_stops_the_run(invoke, write_file, tmp_path):
    path = write_file("users.csv", "login,email,firstName,email\na,b,c,d\n")
    result = invoke("run", "--input", path, "--out", "package")
    assert result.exit_code == 2
    assert "email" in result.stderr
    assert not (tmp_path / "package").exists()


def test_run_leaves_the_package_and_counts_add_up(invoke, users_csv, tmp_path):
    result = invoke("run", "--input", users_csv, "--out", "package")
    assert result.exit_code == 1
    package = tmp_path / "package"
    assert sorted(p.name for p in package.iterdir()) == [
        "01-hrmos-core-employees.1-trial-row.csv",
        "01-hrmos-core-employees.2-other-rows.csv",
        "01-hrmos-core-employees.csv",
        "README.md",
        "findings.csv",
        "manifest.json",
        "rejects.csv",
        "review.xlsx",
        "summary.txt",
    ]
    summary = (package / "summary.txt").read_text()
    for line in (
        "rows read:        4",
        "written:          2",
        "rejected:         1",
        "blank, dropped:   1",
        "adds up:          yes",
    ):
        assert line in summary
    assert "セイ (no kanaLastName in the input)" in summary


def test_run_twice_gives_identical_bytes(invoke, users_csv, tmp_path):
    invoke("run", "--input", users_csv, "--out", "first")
    invoke("run", "--input", users_csv, "--out", "second")
    for produced in (tmp_path / "first").iterdir():
        again = tmp_path / "second" / produced.name
        if produced.name == "manifest.json":
            continue  # its time differs, and its command names the folder
        assert produced.read_bytes() == again.read_bytes(), produced.name
    first, second = (
        json.loads((tmp_path / name / "manifest.json").read_text())
        for name in ("first", "second")
    )
    assert first.pop("command")[-2:] == ["--out", "first"]
    assert second.pop("command")[-2:] == ["--out", "second"]
    first.pop("created_at")
    second.pop("created_at")
    assert first == second


def test_failed_run_leaves_no_files(invoke, users_csv, tmp_path):
    result = invoke(
        "run",
        "--input",
        users_csv,
        "--out",
        "package",
        "--template",
        "no-such-template",
    )
    assert result.exit_code == 2
    assert "no built-in template" in result.stderr
    assert not (tmp_path / "package").exists() or not any(
        (tmp_path / "package").iterdir()
    )


def test_rejects_file_can_be_fixed_and_fed_back(invoke, users_csv, tmp_path):
    invoke("run", "--input", users_csv, "--out", "package")
    header, row = csv_rows(tmp_path / "package" / "rejects.csv")
    row[header.index("lastName")] = "佐藤"
    row[header.index("employeeNumber")] = "0042"
    with open(tmp_path / "fixed.csv", "w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([header, row])
    result = invoke("convert", "fixed.csv", "-o", "again.csv")
    assert result.exit_code == 0, result.stderr
    assert "okta2hrmos_row, okta2hrmos_codes, okta2hrmos_reasons" in result.stderr
    assert csv_rows(tmp_path / "again.csv")[1][:3] == ["0042", "佐藤", "次郎"]


def test_template_list_and_show(invoke):
    listed = invoke("template", "list")
    assert listed.exit_code == 0
    assert "hrmos-core-employees" in listed.stdout
    assert "provisional" in listed.stdout
    shown = invoke("template", "show", "hrmos-core-employees")
    assert "PROVISIONAL" in shown.stdout
    assert "社員コード" in shown.stdout and "employeeNumber" in shown.stdout
    raw = invoke("template", "show", "hrmos-core-employees", "--toml")
    assert 'header = "社員コード"' in raw.stdout


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('name = "x"\n', "no [[columns]]"),
        (
            '[[columns]]\nheader = "A"\nsource = "a"\nrules = ["shout"]\n',
            "unknown rule",
        ),
        ('[[columns]]\nheader = "A"\nrequired = true\n', "no source"),
        (
            '[[columns]]\nheader = "A"\nsource = "a"\n[[columns]]\nheader = "A"\n'
            'source = "b"\n',
            "more than once",
        ),
        ('[[columns]]\nheader = "A"\nsourse = "a"\n', "unknown setting sourse"),
        ("[[columns]\n", "not valid TOML"),
    ],
)
def test_a_template_that_cannot_work_stops(
    invoke, write_file, users_csv, toml, message
):
    path = write_file("mine.toml", toml)
    result = invoke("convert", users_csv, "-o", "hrmos.csv", "--template", path)
    assert result.exit_code == 2
    assert message in result.stderr


def test_run_without_input_says_what_to_give(invoke):
    result = invoke("run", "--out", "package")
    assert result.exit_code == 2
    assert "--input" in result.stderr


def test_help_of_every_command_has_an_example(invoke):
    for command in (
        ["validate"],
        ["convert"],
        ["run"],
        ["template", "list"],
        ["template", "show"],
    ):
        result = invoke(*command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["-o", "x.csv", "--rejects", "x.csv"],
        ["-o", "users.csv"],
        ["-o", "x.csv", "--rejects", "users.csv"],
        ["-o", "x.csv", "--report", "x.csv"],
    ],
)
def test_convert_refuses_to_write_one_file_over_another(
    invoke, users_csv, tmp_path, arguments
):
    before = users_csv.read_bytes()
    result = invoke("convert", users_csv, *arguments)
    assert result.exit_code == 2
    assert "are the same file" in result.stderr
    assert users_csv.read_bytes() == before
    assert not (tmp_path / "x.csv").exists()


def test_strict_counts_the_rows_held_back(invoke, users_csv):
    result = invoke("convert", users_csv, "-o", "hrmos.csv", "--strict")
    assert (
        "4 rows read: 0 written, 2 held back by --strict, 1 rejected, 1 blank dropped"
        in result.stderr
    )


def test_a_failed_write_leaves_no_import_file_without_its_rejects(
    invoke, users_csv, tmp_path
):
    (tmp_path / "taken").write_text("a file, not a folder")
    result = invoke(
        "convert", users_csv, "-o", "hrmos.csv", "--rejects", "taken/rejects.csv"
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: cannot use taken")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "hrmos.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".okta2hrmos")]


def test_an_unwritable_report_path_is_one_sentence(invoke, users_csv, tmp_path):
    (tmp_path / "taken").write_text("x")
    result = invoke("validate", users_csv, "--report", "taken/findings.csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert "taken" in result.stderr.splitlines()[-1]


def test_run_refuses_an_input_inside_its_package_folder(invoke, users_csv, tmp_path):
    invoke("run", "--input", users_csv, "--out", "package")
    before = sorted(p.name for p in (tmp_path / "package").iterdir())
    result = invoke("run", "--input", "package/rejects.csv", "--out", "package")
    assert result.exit_code == 2
    assert "inside the package folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == before


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_outputs_never_replace_links_pipes_or_folders(
    invoke, users_csv, tmp_path, kind
):
    import os

    target = tmp_path / "hrmos.csv"
    (tmp_path / "real.csv").write_text("keep me")
    if kind == "symlink":
        target.symlink_to(tmp_path / "real.csv")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    result = invoke("validate", users_csv, "--report", "hrmos.csv")
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr or "is a directory" in result.stderr
    assert (tmp_path / "real.csv").read_text() == "keep me"
    assert target.is_symlink() or not target.is_file()
