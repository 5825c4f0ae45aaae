"""run --hrmos-export, --dry-run, the leavers safeguard and diff on the command line."""

from __future__ import annotations

import json

import pytest

HEADER = "id,status,login,firstName,lastName,email,employeeNumber,department,title"
EXPORT_HEADER = "社員コード,姓,名,メールアドレス,部署,役職,退職日"


def okta(number: int, title: str = "主任") -> str:
    return (
        f"00u{number},ACTIVE,p{number}@example.test,名{number},姓{number},"
        f"p{number}@example.test,{number:04d},開発部,{title}"
    )


def hrmos(number: int, title: str = "主任") -> str:
    return f"{number:04d},姓{number},名{number},p{number}@example.test,開発部,{title},"


@pytest.fixture
def files(write_file):
    def write(okta_numbers, hrmos_numbers, extra_okta=(), extra_hrmos=()):
        users = [okta(n) for n in okta_numbers] + list(extra_okta)
        current = [hrmos(n) for n in hrmos_numbers] + list(extra_hrmos)
        write_file("users.csv", "\n".join([HEADER, *users]) + "\n")
        write_file("current.csv", "\n".join([EXPORT_HEADER, *current]) + "\n", bom=True)

    return write


def reconciled(invoke, *extra):
    return invoke(
        "run",
        "--input",
        "users.csv",
        "--hrmos-export",
        "current.csv",
        "--effective-date",
        "2027-04-01",
        "--out",
        "package",
        *extra,
    )


def test_missing_30_percent_of_hrmos_is_refused_with_the_count(invoke, files, tmp_path):
    files(range(1, 36), range(1, 51))
    result = reconciled(invoke)
    assert result.exit_code == 4
    assert "15 leavers" in result.stderr and "30%" in result.stderr
    assert "--force" in result.stderr
    assert not (tmp_path / "package").exists()


def test_force_goes_ahead_and_says_so(invoke, files, tmp_path):
    files(range(1, 36), range(1, 51))
    result = reconciled(invoke, "--force", "--include-leavers")
    assert result.exit_code == 0, result.stderr
    assert "Warning: 15 leavers" in result.stderr
    # Absent from Okta, their 退職日 is a placeholder: the file says so.
    leavers = (
        tmp_path / "package" / "01-hrmos-core-leavers-placeholder-date.csv"
    ).read_text("utf-8-sig")
    assert leavers.splitlines()[1] == "0036,2027/04/01,2027/04/01"


def test_max_leavers_refuses_a_smaller_number(invoke, files):
    files(range(1, 49), range(1, 51))
    assert reconciled(invoke, "--dry-run").exit_code == 1
    result = reconciled(invoke, "--max-leavers", "1")
    assert result.exit_code == 4
    assert "2 leavers" in result.stderr and "--max-leavers 1" in result.stderr


def test_dry_run_exits_0_when_nothing_is_to_do(invoke, files, tmp_path):
    files(range(1, 4), range(1, 4))
    result = reconciled(invoke, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would write no import file" in result.stdout
    assert "unchanged        3" in result.stdout
    assert not (tmp_path / "package").exists()


def test_dry_run_without_an_export_lists_the_files(invoke, files, tmp_path):
    files(range(1, 4), [])
    result = invoke("run", "--input", "users.csv", "--out", "package", "--dry-run")
    assert result.exit_code == 1
    assert "would write 01-hrmos-core-employees.csv: 3 rows (register)" in result.stdout
    assert not (tmp_path / "package").exists()


def test_nothing_changed_writes_no_import_file(invoke, files, tmp_path):
    files(range(1, 4), range(1, 4))
    result = reconciled(invoke)
    assert result.exit_code == 0, result.stderr
    package = tmp_path / "package"
    assert not list(package.glob("0*.csv"))
    readme = (package / "README.md").read_text()
    assert "取り込むファイルはありません" in readme and "no file to upload" in readme


def test_the_same_login_on_two_codes_writes_neither(invoke, files, tmp_path):
    clash = "00u9,ACTIVE,p2@example.test,名9,姓9,p9@example.test,0009,開発部,主任"
    files([1], [1], extra_okta=[clash], extra_hrmos=[hrmos(2, "部長")])
    result = reconciled(invoke)
    assert result.exit_code == 1  # a conflict is pending
    assert "2 conflict" in result.stderr
    assert not list((tmp_path / "package").glob("0*.csv"))
    workbook_text = (tmp_path / "package" / "README.md").read_text()
    assert "要確認" in workbook_text


def test_last_months_edit_file_does_not_linger(invoke, files, tmp_path):
    files([1], [1], extra_okta=[okta(2, "部長")], extra_hrmos=[hrmos(2)])
    reconciled(invoke)
    assert (
        tmp_path / "package" / "01-hrmos-core-employees-edit-業務情報-部署・役職.csv"
    ).exists()
    files([1, 2], [1, 2], extra_okta=[], extra_hrmos=[])
    (tmp_path / "users.csv").write_text(
        "\n".join([HEADER, okta(1), okta(2, "主任")]) + "\n"
    )
    reconciled(invoke)
    assert not (
        tmp_path / "package" / "01-hrmos-core-employees-edit-業務情報-部署・役職.csv"
    ).exists()


@pytest.mark.parametrize(
    "option", [["--force"], ["--include-leavers"], ["--max-leavers", "3"]]
)
def test_reconcile_options_need_an_export(invoke, files, option):
    files([1], [])
    result = invoke("run", "--input", "users.csv", "--out", "package", *option)
    assert result.exit_code == 2
    assert "--hrmos-export" in result.stderr


def test_diff_exits_0_when_hrmos_matches_and_1_when_not(invoke, files):
    files(range(1, 4), range(1, 4))
    same = invoke("diff", "users.csv", "--hrmos-export", "current.csv")
    assert same.exit_code == 0, same.stderr
    assert "unchanged        3" in same.stdout

    files(range(1, 4), range(1, 3), extra_hrmos=[hrmos(3, "部長")])
    different = invoke("diff", "users.csv", "--hrmos-export", "current.csv")
    assert different.exit_code == 1
    assert "changed   0003  役職: 部長 → 主任" in different.stdout


def test_diff_warns_but_does_not_refuse(invoke, files):
    files([1], range(1, 5))
    result = invoke("diff", "users.csv", "--hrmos-export", "current.csv")
    assert result.exit_code == 1
    assert "Warning: 3 leavers" in result.stderr


def test_the_manifest_names_both_inputs(invoke, files, tmp_path):
    files([1], [1])
    reconciled(invoke)
    manifest = json.loads((tmp_path / "package" / "manifest.json").read_text())
    assert [entry["role"] for entry in manifest["inputs"]] == [
        "okta-users",
        "hrmos-export",
    ]
    assert manifest["effective_date"] == "2027-04-01"
    assert "--hrmos-export" in manifest["command"]
    assert manifest["counts"]["reconciliation"]["unchanged"] == 1


def test_help_has_an_example(invoke):
    result = invoke("diff", "--help")
    assert result.exit_code == 0 and "Example" in result.stdout
