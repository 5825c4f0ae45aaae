"""Validation findings: required, unique, email, dates, kana, formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from okta2hrmos.rules import parse_date
from okta2hrmos.templates import load_template
from okta2hrmos.users import Users, read_users, table_from_rows
from okta2hrmos.validate import comparison_key, validate

from .conftest import OKTA_EXAMPLES

TEMPLATE = load_template("hrmos-core-employees")

BASE = {
    "login": "",
    "firstName": "太郎",
    "lastName": "山田",
    "email": "",
    "employeeNumber": "",
    "hireDate": "2024-04-01",
}


def users_of(*rows: dict[str, str], first_row: int = 2) -> Users:
    full = [{**BASE, **row} for row in rows]
    columns = list(dict.fromkeys(name for row in full for name in row))
    table = table_from_rows(full, columns, first_row=first_row)
    return Users(table=table, source="test", format="csv", rows_read=len(table))


def person(number: int, **values: str) -> dict[str, str]:
    row = {
        "login": f"user{number}@example.test",
        "email": f"user{number}@example.test",
        "employeeNumber": f"E{number:04d}",
    }
    return {**row, **values}


def findings_of(users: Users, code: str | None = None, template=TEMPLATE):
    findings = validate(users, template).findings
    return findings if code is None else findings[findings["code"] == code]


def test_logins_differing_only_in_case_are_one_duplicate_finding():
    users = users_of(
        person(1, login="Rin.Kudo@Example.test"),
        person(2),
        person(3, login="rin.kudo@example.test"),
    )
    found = findings_of(users, "duplicate-key")
    assert len(found) == 1
    finding = found.iloc[0]
    assert finding["row"] == "2;4"
    assert finding["column"] == "login"
    assert finding["severity"] == "error"
    assert finding["login"] == "Rin.Kudo@Example.test;rin.kudo@example.test"
    assert "rows 2, 4" in finding["hint"]


def test_invisible_characters_are_cleaned_then_found_duplicate():
    """A trailing no-break space and a leading zero-width space hide a duplicate."""
    users = users_of(
        person(1, email="kana.sato@example.test\u00a0"),
        person(2, email="\u200bkana.sato@example.test"),
    )
    validation = validate(users, TEMPLATE)
    found = validation.findings[validation.findings["code"] == "duplicate-key"]
    assert found["row"].tolist() == ["2;3"]
    assert found["column"].tolist() == ["email"]
    cleaned = validation.findings[validation.findings["code"] == "trimmed-value"]
    assert cleaned["row"].tolist() == ["2", "3"]
    assert set(cleaned["severity"]) == {"info"}
    assert validation.prepared["メールアドレス"].tolist() == [
        "kana.sato@example.test",
        "kana.sato@example.test",
    ]


def test_ideographic_space_and_width_are_folded_in_keys():
    values = pd.Series(["\u3000ＡＢＣ@Example.test", "abc@example.test\ufeff"])
    assert comparison_key(values).tolist() == ["abc@example.test", "abc@example.test"]


def test_codes_with_different_leading_zeros_are_different():
    users = users_of(
        person(1, employeeNumber="00123"),
        person(2, employeeNumber="0123"),
        person(3, employeeNumber="123"),
    )
    validation = validate(users, TEMPLATE)
    assert validation.findings[validation.findings["severity"] == "error"].empty
    assert validation.prepared["社員コード"].tolist() == ["00123", "0123", "123"]


def test_full_width_code_is_a_duplicate_of_its_plain_form():
    users = users_of(
        person(1, employeeNumber="Ｅ０００５"), person(2, employeeNumber="E0005")
    )
    validation = validate(users, TEMPLATE)
    duplicates = validation.findings[validation.findings["code"] == "duplicate-key"]
    assert duplicates["row"].tolist() == ["2;3"]
    assert duplicates["value"].tolist() == ["Ｅ０００５ | E0005"]


def test_blanks_are_never_duplicates_of_each_other():
    """Two users with an empty secondEmail under a uniqueness rule: no finding."""
    template = load_template("hrmos-core-employees")
    template = type(template)(**{**template.__dict__, "unique": ("secondEmail",)})
    users = users_of(person(1, secondEmail=""), person(2, secondEmail=" "))
    assert findings_of(users, "duplicate-key", template).empty


def test_three_way_duplicate_names_every_row():
    users = users_of(*(person(n, employeeNumber="E1") for n in range(3)))
    found = findings_of(users, "duplicate-key")
    assert found["row"].tolist() == ["2;3;4"]
    assert "3 users" in found.iloc[0]["hint"]


def test_missing_required_per_row():
    users = users_of(person(1, employeeNumber=" "), person(2, lastName=""))
    found = findings_of(users, "missing-required")
    assert found[["row", "column"]].values.tolist() == [
        ["2", "employeeNumber"],
        ["3", "lastName"],
    ]


@pytest.mark.parametrize(
    "path",
    sorted(OKTA_EXAMPLES.glob("*User*Ex*.json"))
    + sorted(OKTA_EXAMPLES.glob("ListUsers*.json")),
)
def test_okta_examples_without_employee_code_are_rejected_not_crashed(path: Path):
    users = read_users(path)
    validation = validate(users, TEMPLATE)
    missing = validation.findings[validation.findings["code"] == "missing-required"]
    assert not missing.empty
    assert set(validation.rejected) == set(users.table.index)
    assert "employeeNumber" in set(missing["column"])


@pytest.mark.parametrize(
    "value",
    [
        "taro@example",
        "taro@@example.test",
        "taro example@x.test",
        "@x.test",
        "taro.@x.test",
        "taro..yamada@x.test",
        "山田@example.test",
        "taro@-x.test",
    ],
)
def test_invalid_emails(value):
    found = findings_of(users_of(person(1, email=value)), "invalid-email")
    assert found["value"].tolist() == [value]


@pytest.mark.parametrize(
    "value",
    ["taro@example.test", "taro.yamada+hr@sub.example.co.jp", "T_Y-1@x.jp"],
)
def test_valid_emails(value):
    assert findings_of(users_of(person(1, email=value)), "invalid-email").empty


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024/4/1", "2024-04-01"),
        ("2024/04/01", "2024-04-01"),
        ("2024-04-01", "2024-04-01"),
        ("2024.4.1", "2024-04-01"),
        ("20240401", "2024-04-01"),
        ("2024年4月1日", "2024-04-01"),
        ("２０２４年４月１日", "2024-04-01"),
        ("令和6年4月1日", "2024-04-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("R6.4.1", "2024-04-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("昭和64年1月7日", "1989-01-07"),
        ("平成元年1月8日", "1989-01-08"),
        # Okta timestamps are UTC: 15:00 UTC is already the next day in Japan.
        ("2024-03-31T15:00:00.000Z", "2024-04-01"),
        ("2024-03-31T14:59:59.000Z", "2024-03-31"),
        ("2024-04-01T09:00:00+09:00", "2024-04-01"),
    ],
)
def test_accepted_date_forms(value, expected):
    assert parse_date(value) == "=" + expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("04/01/2024", "?"),
        ("1/4/24", "?"),
        ("01-04-2024", "?"),
        ("2024/2/30", "!"),
        ("2023/02/29", "!"),
        ("20241301", "!"),
        ("平成31年5月1日", "!"),
        ("令和元年4月30日", "!"),
        ("令和0年4月1日", "!"),
        ("45383", "!"),
        ("April 1, 2024", "!"),
        ("2024-04-01T10:00:00", "!"),
        ("2024/4/1/", "!"),
    ],
)
def test_ambiguous_and_impossible_dates_are_never_guessed(value, kind):
    assert parse_date(value) == kind


def test_dates_are_written_in_the_template_pattern():
    users = users_of(
        person(1, hireDate="2024/4/1"),
        person(2, hireDate="令和6年4月1日"),
        person(3, hireDate="2024-03-31T15:00:00.000Z"),
        person(4, hireDate=""),
        person(5, hireDate="2024/2/30"),
        person(6, hireDate="04/01/2024"),
    )
    validation = validate(users, TEMPLATE)
    assert validation.prepared.loc[[2, 3, 4, 5], "入社日"].tolist() == [
        "2024/04/01",
        "2024/04/01",
        "2024/04/01",
        "",
    ]
    codes = validation.findings.set_index("row")["code"]
    assert codes["6"] == "invalid-date"
    assert codes["7"] == "ambiguous-date"
    assert list(validation.rejected) == [6, 7]


def test_formula_like_values_are_a_warning_and_unchanged():
    users = users_of(
        person(1, title="=1+2"), person(2, title="+81-90"), person(3, title="@SUM(A1)")
    )
    validation = validate(users, TEMPLATE)
    found = validation.findings[validation.findings["code"] == "formula-like"]
    assert found["row"].tolist() == ["2", "3", "4"]
    assert set(found["severity"]) == {"warning"}
    assert validation.prepared["役職"].tolist() == ["=1+2", "+81-90", "@SUM(A1)"]
    assert validation.rejected.empty


@pytest.mark.parametrize("value", ["ﾖｼﾀﾞ", "よしだ", "ヨシダ"])
def test_kana_is_written_full_width_katakana(value):
    validation = validate(users_of(person(1, kanaLastName=value)), TEMPLATE)
    assert validation.prepared["セイ"].tolist() == ["ヨシダ"]
    assert validation.rejected.empty


def test_romaji_in_a_kana_column_is_a_finding():
    found = findings_of(users_of(person(1, kanaLastName="Yoshida")), "invalid-kana")
    assert found["value"].tolist() == ["Yoshida"]
    assert found["severity"].tolist() == ["error"]


def test_department_is_written_unchanged():
    validation = validate(users_of(person(1, department="第Ⅱ営業部")), TEMPLATE)
    assert validation.prepared["部署"].tolist() == ["第Ⅱ営業部"]


def test_absent_source_column_is_left_out_not_blank():
    users = users_of(person(1))
    users.table = users.table.drop(columns=["hireDate"])
    validation = validate(users, TEMPLATE)
    assert "入社日" not in validation.prepared.columns
    assert [c.header for c in validation.left_out] == [
        "セイ",
        "メイ",
        "入社日",
        "部署",
        "役職",
    ]


def test_required_column_absent_from_input_is_one_finding_for_all_rows():
    users = users_of(person(1), person(2))
    users.table = users.table.drop(columns=["employeeNumber"])
    found = findings_of(users, "missing-required")
    assert found["row"].tolist() == ["2;3"]
    assert "no employeeNumber column" in found.iloc[0]["hint"]


def test_custom_attribute_exported_under_its_title_is_found():
    users = users_of(person(1, **{"Kana Last Name": "やまだ"}))
    validation = validate(users, TEMPLATE)
    assert validation.prepared["セイ"].tolist() == ["ヤマダ"]


def test_finding_carries_id_login_and_source_row():
    users = users_of(person(1, id="00uA", email="bad"), first_row=7)
    finding = findings_of(users, "invalid-email").iloc[0]
    assert finding[["row", "id", "login", "column", "value"]].tolist() == [
        "7",
        "00uA",
        "user1@example.test",
        "email",
        "bad",
    ]
    assert finding["hint"]


def test_leavers_are_flagged_not_rejected():
    users = users_of(person(1, status="DEPROVISIONED"), person(2, status="ACTIVE"))
    validation = validate(users, TEMPLATE)
    found = validation.findings[validation.findings["code"] == "deprovisioned-user"]
    assert found["row"].tolist() == ["2"]
    assert validation.rejected.empty


def test_wrong_field_count_rejects_the_row(write_file):
    path = write_file(
        "users.csv",
        "login,email,employeeNumber,firstName,lastName\n"
        "a@x.test,a@x.test,1,太郎,山田,surplus\n"
        "b@x.test,b@x.test,2,花子,鈴木\n",
    )
    validation = validate(read_users(path), TEMPLATE)
    found = validation.findings[validation.findings["code"] == "wrong-field-count"]
    assert found[["row", "value"]].values.tolist() == [["2", "surplus"]]
    assert list(validation.rejected) == [2]


def test_line_breaks_in_a_one_line_column_are_rejected():
    found = findings_of(users_of(person(1, lastName="山\n田")), "line-break")
    assert found["row"].tolist() == ["2"]


def test_too_long_name():
    found = findings_of(users_of(person(1, lastName="長" * 51)), "too-long")
    assert found["row"].tolist() == ["2"]


def template_from(write_file, text: str):
    return load_template(write_file("t.toml", text))


def test_key_column_is_unique_whatever_its_source(write_file):
    """社員コード fed by another attribute, with no `unique` list, is still unique."""
    template = template_from(
        write_file, '[[columns]]\nheader = "社員コード"\nsource = "empId"\n'
    )
    users = users_of(person(1, empId="E001"), person(2, empId="e001"))
    found = findings_of(users, "duplicate-key", template)
    assert found[["row", "column"]].values.tolist() == [["2;3", "empId"]]


def test_key_column_fed_by_a_lookup_is_checked_on_what_it_writes(write_file):
    write_file("codes.csv", "okta,hrmos\nA,X1\nB,X1\n")
    template = template_from(
        write_file,
        '[[columns]]\nheader = "社員コード"\nsource = "empId"\n'
        'lookup = { file = "codes.csv" }\n',
    )
    users = users_of(person(1, empId="A"), person(2, empId="B"))
    found = findings_of(users, "duplicate-key", template)
    assert found[["row", "column", "value"]].values.tolist() == [
        ["2;3", "社員コード", "X1"]
    ]


def test_a_unique_column_can_be_declared_and_undeclared(write_file):
    template = template_from(
        write_file,
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\nunique = false\n'
        '[[columns]]\nheader = "ロッカー"\nsource = "locker"\nunique = true\n',
    )
    template = type(template)(**{**template.__dict__, "unique": ()})
    users = users_of(
        person(1, employeeNumber="1", locker="L1"),
        person(2, employeeNumber="1", locker="L1"),
    )
    found = findings_of(users, "duplicate-key", template)
    assert found["column"].tolist() == ["locker"]


@pytest.mark.parametrize(
    ("character", "code"),
    [
        ("\x00", "control-character"),
        ("\x1b", "control-character"),
        ("\u202e", "control-character"),
        ("\u2028", "line-break"),
        ("\x85", "line-break"),
    ],
)
def test_control_characters_and_unicode_line_breaks_are_found(character, code):
    found = findings_of(users_of(person(1, lastName=f"山{character}田")), code)
    assert found["row"].tolist() == ["2"]
    assert found["severity"].tolist() == ["error"]


def test_names_beyond_the_basic_plane_are_flagged_not_changed():
    validation = validate(users_of(person(1, lastName="𠮷田")), TEMPLATE)
    found = validation.findings[validation.findings["code"] == "non-bmp-character"]
    assert found["severity"].tolist() == ["warning"]
    assert validation.prepared["姓"].tolist() == ["𠮷田"]


def test_a_file_without_rows_and_columns_does_not_crash():
    users = users_of(person(1))
    users.table = users.table.iloc[0:0].drop(columns=["employeeNumber"])
    validation = validate(users, TEMPLATE)
    assert validation.findings.empty


def test_a_blank_recommended_column_is_a_warning_and_the_row_is_written():
    validation = validate(users_of(person(1, email=""), person(2)), TEMPLATE)
    found = validation.findings[validation.findings["code"] == "missing-recommended"]
    assert found[["row", "severity", "column"]].values.tolist() == [
        ["2", "warning", "email"]
    ]
    assert list(validation.accepted) == [2, 3]
