"""Fitting the admin's own tenant: learned layouts, checks, mappings, files."""

from __future__ import annotations

import csv
import io
import tomllib

import pytest

from okta2hrmos.learn import learn
from okta2hrmos.templates import list_templates, load_template

OKTA_HEADER = "login,firstName,lastName,email,employeeNumber,department,title,hireDate"
PEOPLE = [
    ("taro@example.test", "太郎", "山田", "00123", "営業部", "部長", "2019-04-01"),
    ("hanako@example.test", "花子", "鈴木", "00124", "第Ⅱ営業部", "課長", "2020/10/1"),
    ("jiro@example.test", "次郎", "佐藤", "00125", "開発部", "", "令和3年4月1日"),
]


def okta_export(write_file, people=PEOPLE, name="users.csv"):
    lines = [OKTA_HEADER] + [
        f"{login},{first},{last},{login},{code},{dept},{title},{hired}"
        for login, first, last, code, dept, title, hired in people
    ]
    return write_file(name, "\n".join(lines) + "\n")


def tenant_sample_bytes() -> bytes:
    """What the tenant's own file looks like for the same people."""
    rows = [
        "社員番号,姓,名,メールアドレス,入社日",
        "00123,山田,太郎,taro@example.test,2019/4/1",
        "00124,鈴木,花子,hanako@example.test,2020/10/1",
        "00125,佐藤,次郎,jiro@example.test,2021/4/1",
    ]
    return b"\xef\xbb\xbf" + ("\r\n".join(rows) + "\r\n").encode()


def test_learned_template_reproduces_the_tenant_file_byte_for_byte(
    invoke, write_file, tmp_path
):
    sample = write_file("tenant.csv", tenant_sample_bytes())
    learned = invoke("template", "learn", sample, "-o", "mine.toml")
    assert learned.exit_code == 0, learned.stderr
    assert "社員番号 ← employeeNumber (guess)" in learned.stderr

    users = okta_export(write_file)
    result = invoke("convert", users, "-o", "hrmos.csv", "--template", "mine.toml")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "hrmos.csv").read_bytes() == sample.read_bytes()

    checked = invoke("template", "check", "mine.toml", "--against", sample)
    assert checked.exit_code == 0, checked.stderr
    assert "is usable and matches" in checked.stderr


def test_learned_template_is_readable_toml_with_comments(write_file, tmp_path):
    sample = write_file("tenant.csv", tenant_sample_bytes())
    text = learn(sample).text
    document = tomllib.loads(text)
    assert document["file"] == {
        "encoding": "utf-8",
        "bom": True,
        "line_ending": "crlf",
        "quoting": "minimal",
        "header_rows": [["社員番号", "姓", "名", "メールアドレス", "入社日"]],
    }
    hire = document["columns"][4]
    assert hire == {
        "header": "入社日",
        "source": "hireDate",
        "rules": ["date"],
        "date_format": "yyyy/M/d",
    }
    assert "# guess: HRMOS's employee code" in text
    assert document["columns"][0]["required"] is True


def test_unknown_column_is_listed_and_left_out(invoke, write_file, tmp_path):
    sample = write_file(
        "tenant.csv", "社員番号,姓,名,社用携帯\r\n00123,山田,太郎,090-0000-0000\r\n"
    )
    learned = invoke("template", "learn", sample, "-o", "mine.toml")
    assert "No source for 社用携帯" in learned.stderr

    result = invoke(
        "convert", okta_export(write_file), "-o", "hrmos.csv", "--template", "mine.toml"
    )
    assert result.exit_code == 0, result.stderr
    rows = list(
        csv.reader(io.StringIO((tmp_path / "hrmos.csv").read_text("utf-8-sig")))
    )
    assert rows[0] == ["社員番号", "姓", "名"]
    assert "Left out column 社用携帯" in result.stderr


def test_required_marks_and_a_second_header_row(write_file):
    sample = write_file(
        "tenant.csv",
        '"社員コード","姓（必須）","部署名","適用日"\n"必須","必須","任意","必須"\n'
        '"0001","山田","営業部","2024-04-01"\n',
    )
    learned = learn(sample)
    document = tomllib.loads(learned.text)
    assert document["file"]["header_rows"] == [
        ["社員コード", "姓（必須）", "部署名", "適用日"],
        ["必須", "必須", "任意", "必須"],
    ]
    assert document["file"]["quoting"] == "all"
    assert document["file"]["line_ending"] == "lf"
    assert document["file"]["bom"] is False
    assert learned.required == ["社員コード", "姓（必須）", "適用日"]
    effective = document["columns"][3]
    assert effective["effective_date"] is True
    assert effective["date_format"] == "yyyy-MM-dd"
    assert document["columns"][2]["source"] == "department"


def test_cp932_sample_gets_a_note_that_hrmos_wants_utf8(invoke, write_file):
    sample = write_file("tenant.csv", "社員番号,姓\r\n0001,髙野\r\n", encoding="cp932")
    result = invoke("template", "learn", sample, "-o", "mine.toml")
    assert result.exit_code == 0
    assert "HRMOS imports only UTF-8" in result.stderr


def test_check_lists_every_problem(invoke, write_file):
    path = write_file(
        "bad.toml",
        '[[columns]]\nheader = "社員コード"\nrequired = true\n'
        '[[columns]]\nheader = "姓"\nsource = "lastName"\nrules = ["shout"]\n'
        '[[columns]]\nheader = "姓"\nsource = "x"\n',
    )
    result = invoke("template", "check", path)
    assert result.exit_code == 1
    assert "required but has no source" in result.stderr
    assert "unknown rule shout" in result.stderr
    assert "姓 more than once" in result.stderr
    assert "3 problems" in result.stderr


def test_check_against_a_tenant_file_lists_every_difference(invoke, write_file):
    sample = write_file(
        "tenant.csv", "社員番号,名,姓,部署\n0001,太郎,山田,営業部\n", encoding="cp932"
    )
    template = write_file(
        "mine.toml",
        '[file]\nbom = true\nline_ending = "crlf"\n'
        '[[columns]]\nheader = "社員番号"\nsource = "employeeNumber"\n'
        '[[columns]]\nheader = "姓"\nsource = "lastName"\n'
        '[[columns]]\nheader = "名"\nsource = "firstName"\n'
        '[[columns]]\nheader = "役職"\nsource = "title"\n',
    )
    result = invoke("template", "check", template, "--against", sample)
    assert result.exit_code == 1
    text = result.stderr
    assert "is CP932" in text
    assert "has no BOM" in text
    assert "ends lines with LF" in text
    assert "no column 部署" in text
    assert "the column 役職, which" in text


def test_check_against_reports_another_order(invoke, write_file):
    sample = write_file("tenant.csv", b"\xef\xbb\xbf" + "名,姓\r\n".encode())
    template = write_file(
        "mine.toml",
        '[[columns]]\nheader = "姓"\nsource = "lastName"\n'
        '[[columns]]\nheader = "名"\nsource = "firstName"\n',
    )
    result = invoke("template", "check", template, "--against", sample)
    assert "another order" in result.stderr


def test_builtin_templates_pass_the_same_checks(invoke):
    for template in list_templates():
        result = invoke("template", "check", template.name)
        assert result.exit_code == 0, result.stderr


def test_learning_the_builtin_layout_proposes_the_builtin_sources(write_file):
    builtin = load_template("hrmos-core-employees")
    sample = write_file(
        "tenant.csv", b"\xef\xbb\xbf" + (",".join(builtin.headers) + "\r\n").encode()
    )
    learned = tomllib.loads(learn(sample).text)
    assert [c.get("source") for c in learned["columns"]] == [
        c.source[0] for c in builtin.columns
    ]
    assert learned["file"]["header_rows"] == [list(r) for r in builtin.header_rows]


def test_map_option_changes_one_column(invoke, write_file, tmp_path):
    users = write_file(
        "users.csv",
        "login,email,employeeNumber,firstName,lastName,lastNameKana\n"
        "a@x.test,a@x.test,1,太郎,山田,やまだ\n",
    )
    result = invoke(
        "convert",
        users,
        "-o",
        "hrmos.csv",
        "--map",
        "セイ=profile.lastNameKana",
        "--map",
        "役職=const:一般",
    )
    assert result.exit_code == 0, result.stderr
    rows = list(
        csv.reader(io.StringIO((tmp_path / "hrmos.csv").read_text("utf-8-sig")))
    )
    assert rows == [
        ["社員コード", "姓", "名", "セイ", "メールアドレス", "役職"],
        ["1", "山田", "太郎", "ヤマダ", "a@x.test", "一般"],
    ]


def test_map_of_an_unknown_header_stops(invoke, write_file):
    users = okta_export(write_file)
    result = invoke("convert", users, "-o", "x.csv", "--map", "社用携帯=mobilePhone")
    assert result.exit_code == 2
    assert "No template has the column 社用携帯" in result.stderr


def test_project_config_file_sets_templates_and_mappings(invoke, write_file, tmp_path):
    write_file(
        "okta2hrmos.toml",
        'templates = ["hrmos-core-account"]\n[map]\n"認証方法" = "const:メールアドレス"\n',
    )
    result = invoke("run", "--input", okta_export(write_file), "--out", "package")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "package" / "01-hrmos-core-account.csv").read_text("utf-8-sig")
    assert text.splitlines()[1] == "00123,taro@example.test,メールアドレス"


def test_config_file_with_a_typo_stops(invoke, write_file):
    write_file("okta2hrmos.toml", 'template = ["x"]\n')
    result = invoke("run", "--input", okta_export(write_file), "--out", "package")
    assert result.exit_code == 2
    assert "unknown setting template" in result.stderr


def test_department_missing_from_the_mapping_is_a_finding(invoke, write_file, tmp_path):
    write_file("departments.csv", "Okta部署,部署コード\n営業部,D100\n第Ⅱ営業部,D200\n")
    write_file(
        "mine.toml",
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\nrequired = true\n'
        '[[columns]]\nheader = "部署コード"\nsource = "department"\n'
        'lookup = { file = "departments.csv" }\n',
    )
    result = invoke(
        "convert",
        okta_export(write_file),
        "-o",
        "hrmos.csv",
        "--template",
        "mine.toml",
        "--report",
        "findings.csv",
    )
    assert result.exit_code == 1
    findings = list(
        csv.DictReader(io.StringIO((tmp_path / "findings.csv").read_text("utf-8-sig")))
    )
    assert [(f["code"], f["row"], f["value"]) for f in findings] == [
        ("unmapped-value", "4", "開発部")
    ]
    assert "departments.csv" in findings[0]["hint"]
    rows = list(
        csv.reader(io.StringIO((tmp_path / "hrmos.csv").read_text("utf-8-sig")))
    )
    assert rows == [["社員コード", "部署コード"], ["00123", "D100"], ["00124", "D200"]]


def test_effective_date_column_from_the_option_or_the_attribute(
    invoke, write_file, tmp_path
):
    write_file(
        "mine.toml",
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\n'
        '[[columns]]\nheader = "適用日"\nsource = "hireDate"\neffective_date = true\n'
        "required = true\n",
    )
    users = okta_export(write_file)
    invoke("convert", users, "-o", "a.csv", "--template", "mine.toml")
    invoke(
        "convert",
        users,
        "-o",
        "b.csv",
        "--template",
        "mine.toml",
        "--effective-date",
        "2025-04-01",
    )
    a = (tmp_path / "a.csv").read_text("utf-8-sig").splitlines()
    b = (tmp_path / "b.csv").read_text("utf-8-sig").splitlines()
    assert a[1:] == ["00123,2019/04/01", "00124,2020/10/01", "00125,2021/04/01"]
    assert b[1:] == ["00123,2025/04/01", "00124,2025/04/01", "00125,2025/04/01"]


def test_bad_effective_date_stops(invoke, write_file):
    result = invoke(
        "convert", okta_export(write_file), "-o", "a.csv", "--effective-date", "someday"
    )
    assert result.exit_code == 2
    assert "--effective-date 'someday' is not a date" in result.stderr


def test_rows_per_file_splits_into_parts_with_every_user_once(
    invoke, write_file, tmp_path
):
    people = [
        (f"u{n}@x.test", "名", "姓", f"{n:05d}", "営業部", "", "2024-04-01")
        for n in range(2500)
    ]
    write_file(
        "mine.toml",
        "[file]\nrows_per_file = 1000\n"
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\n',
    )
    result = invoke(
        "run",
        "--input",
        okta_export(write_file, people),
        "--out",
        "pkg",
        "--template",
        "mine.toml",
    )
    assert result.exit_code == 0, result.stderr
    parts = sorted((tmp_path / "pkg").glob("01-mine-part*.csv"))
    assert [p.name for p in parts] == [
        "01-mine-part1.csv",
        "01-mine-part2.csv",
        "01-mine-part3.csv",
    ]
    codes = []
    for part in parts:
        lines = part.read_text("utf-8-sig").splitlines()
        assert lines[0] == "社員コード"
        codes += lines[1:]
    assert sorted(codes) == [f"{n:05d}" for n in range(2500)]
    assert [len(p.read_text().splitlines()) - 1 for p in parts] == [1000, 1000, 500]


def test_a_person_rejected_by_one_template_is_in_no_file(invoke, write_file, tmp_path):
    people = [*PEOPLE, ("not-an-email", "三郎", "田中", "00126", "", "", "2024-04-01")]
    users = okta_export(write_file, people)
    result = invoke(
        "run",
        "--input",
        users,
        "--out",
        "pkg",
        "--template",
        "hrmos-core-employees",
        "--template",
        "hrmos-core-account",
    )
    assert result.exit_code == 1
    employees = (tmp_path / "pkg" / "01-hrmos-core-employees.csv").read_text(
        "utf-8-sig"
    )
    accounts = (tmp_path / "pkg" / "02-hrmos-core-account.csv").read_text("utf-8-sig")
    assert "00126" not in employees and "00126" not in accounts
    assert len(employees.splitlines()) == len(accounts.splitlines()) == 4


def test_convert_takes_one_template(invoke, write_file):
    result = invoke(
        "convert",
        okta_export(write_file),
        "-o",
        "a.csv",
        "--template",
        "hrmos-core-employees",
        "--template",
        "hrmos-core-account",
    )
    assert result.exit_code == 2
    assert "one --template" in result.stderr


@pytest.mark.parametrize(
    ("sample", "pattern"),
    [
        ("2019/4/1", "yyyy/M/d"),
        ("2019/04/01", "yyyy/MM/dd"),
        ("2019-04-01", "yyyy-MM-dd"),
        ("20190401", "yyyyMMdd"),
        ("2019年4月1日", "yyyy年M月d日"),
        ("2019/10/11", "yyyy/MM/dd"),
    ],
)
def test_date_pattern_is_learned_from_the_cells(write_file, sample, pattern):
    path = write_file("tenant.csv", f"社員番号,入社日\n0001,{sample}\n")
    document = tomllib.loads(learn(path).text)
    assert document["columns"][1]["date_format"] == pattern


@pytest.mark.parametrize(
    "pattern", ["dd.MM.YYYY", "yy/M/d", "%Y-%m-%d", "yyyy/MM", "yyyy-MM-dd-dd"]
)
def test_a_date_pattern_with_a_typo_cannot_work(invoke, write_file, pattern):
    path = write_file(
        "mine.toml",
        f'[[columns]]\nheader = "入社日"\nsource = "hireDate"\nrules = ["date"]\n'
        f'date_format = "{pattern}"\n',
    )
    result = invoke("template", "check", path)
    assert result.exit_code == 1
    assert "is not a date pattern" in result.stderr


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ('header = "社員コード"\nvalue = "X"\n', "cannot be the constant"),
        ('header = "セイ"\nvalue = " "\n', "constant cannot be blank"),
    ],
)
def test_constants_that_cannot_work(invoke, write_file, column, message):
    path = write_file("mine.toml", f"[[columns]]\n{column}")
    result = invoke("template", "check", path)
    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize(
    ("mapping", "message"),
    [("社員コード=const:X", "must be unique"), ("セイ=const:", "cannot be blank")],
)
def test_map_constants_that_cannot_work(invoke, write_file, mapping, message):
    result = invoke("convert", okta_export(write_file), "-o", "x.csv", "--map", mapping)
    assert result.exit_code == 2
    assert message in result.stderr


def test_map_of_the_key_to_another_attribute_still_finds_duplicates(invoke, write_file):
    users = write_file(
        "users.csv",
        "login,firstName,lastName,email,employeeNumber,empId\n"
        "a@x.test,太郎,山田,a@x.test,1,E001\nb@x.test,花子,佐藤,b@x.test,2,E001\n",
    )
    result = invoke("convert", users, "-o", "x.csv", "--map", "社員コード=empId")
    assert result.exit_code == 1
    assert "duplicate-key" in result.stderr


def test_a_lookup_to_a_blank_value_cannot_work(invoke, write_file):
    write_file("departments.csv", "okta,hrmos\n営業部,\n")
    path = write_file(
        "mine.toml",
        '[[columns]]\nheader = "部署コード"\nsource = "department"\n'
        'lookup = { file = "departments.csv" }\n',
    )
    result = invoke("template", "check", path)
    assert result.exit_code == 1
    assert "to a blank value" in result.stderr


def test_check_against_finds_header_rows_dates_and_order(invoke, write_file):
    sample = write_file(
        "tenant.csv",
        b"\xef\xbb\xbf"
        + "社員番号,名,姓,入社日,部署\r\n必須,必須,必須,,\r\n"
        "0001,太郎,山田,2012-03-01,営業部\r\n".encode(),
    )
    template = write_file(
        "mine.toml",
        '[[columns]]\nheader = "社員番号"\nsource = "employeeNumber"\n'
        '[[columns]]\nheader = "姓"\nsource = "lastName"\n'
        '[[columns]]\nheader = "名"\nsource = "firstName"\n'
        '[[columns]]\nheader = "入社日"\nsource = "hireDate"\nrules = ["date"]\n'
        'date_format = "yyyy/M/d"\n',
    )
    result = invoke("template", "check", template, "--against", sample)
    assert result.exit_code == 1
    assert "has 2 header row(s); the template has 1" in result.stderr
    assert "writes 入社日 as yyyy-MM-dd (2012-03-01)" in result.stderr
    assert "another order" in result.stderr
    assert "no column 部署" in result.stderr


def test_learn_refuses_to_replace_an_existing_template(invoke, write_file, tmp_path):
    sample = write_file("tenant.csv", tenant_sample_bytes())
    (tmp_path / "mine.toml").write_text("# edited by hand\n")
    result = invoke("template", "learn", sample, "-o", "mine.toml")
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "mine.toml").read_text() == "# edited by hand\n"
    assert (
        invoke("template", "learn", sample, "-o", "mine.toml", "--force").exit_code == 0
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("社員番号,,名", "header cell 2 is empty"),
        ("社員番号,姓,姓", "姓 more than once"),
    ],
)
def test_learn_names_what_is_wrong_with_the_sample(
    invoke, write_file, tmp_path, header, message
):
    sample = write_file("tenant.csv", header + "\r\n0001,a,b\r\n")
    result = invoke("template", "learn", sample, "-o", "mine.toml")
    assert result.exit_code == 2
    assert "tenant.csv" in result.stderr and message in result.stderr
    assert not (tmp_path / "mine.toml").exists()


def test_learn_with_more_header_rows_than_the_file_has(invoke, write_file):
    sample = write_file("tenant.csv", "社員番号,姓\r\n必須,必須\r\n")
    result = invoke(
        "template", "learn", sample, "-o", "mine.toml", "--header-rows", "3"
    )
    assert result.exit_code == 2
    assert "fewer than the 3 header rows" in result.stderr


def test_map_to_an_attribute_the_input_lacks_stops(invoke, write_file):
    result = invoke(
        "convert", okta_export(write_file), "-o", "x.csv", "--map", "セイ=lastNameKana"
    )
    assert result.exit_code == 2
    assert "does not have (lastNameKana)" in result.stderr


def test_project_map_for_a_column_this_run_lacks_is_ignored(
    invoke, write_file, tmp_path
):
    write_file(
        "okta2hrmos.toml",
        '[map]\n"社用携帯" = "mobilePhone"\n"認証方法" = "const:SSO"\n',
    )
    result = invoke(
        "run",
        "--input",
        okta_export(write_file),
        "--out",
        "pkg",
        "--template",
        "hrmos-core-employees",
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("section", ["3", '" "', '["業務情報"]'])
def test_a_section_that_is_not_a_name_cannot_work(invoke, write_file, section):
    path = write_file(
        "mine.toml",
        f'[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\n'
        f'[[columns]]\nheader = "役職"\nsource = "title"\nsection = {section}\n',
    )
    result = invoke("template", "check", path)
    assert result.exit_code == 1
    assert "column 2 (役職): section must name an HRMOS section" in result.stderr


def test_a_section_is_kept_tidy_and_shown(invoke, write_file):
    path = write_file(
        "mine.toml",
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\n'
        '[[columns]]\nheader = "役職"\nsource = "title"\n'
        'section = "業務情報>部署・役職 "\n',
    )
    assert load_template(path).columns[1].section == "業務情報 > 部署・役職"
    assert load_template(path).columns[0].section == ""
    shown = invoke("template", "show", path).stdout
    assert "役職     ← title  [section 業務情報 > 部署・役職]" in shown
    builtin = invoke("template", "show", "hrmos-core-employees").stdout
    assert "section 業務情報 > 部署・役職" in builtin
