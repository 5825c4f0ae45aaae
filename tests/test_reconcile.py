"""Reconciliation with an HRMOS export: categories, changes, leavers, conflicts."""

from __future__ import annotations

from datetime import date

import pytest

from okta2hrmos import reconcile
from okta2hrmos.errors import InputError
from okta2hrmos.reconcile import SafeguardError, check_leavers
from okta2hrmos.templates import load_template
from okta2hrmos.users import read_users
from okta2hrmos.validate import validate_many

DAY = date(2027, 4, 1)
OKTA_HEADER = (
    "id,status,statusChanged,login,firstName,lastName,email,employeeNumber,"
    "department,title,hireDate"
)
HRMOS_HEADER = "社員コード,姓,名,メールアドレス,入社日,部署,役職,退職日"


def okta_row(number: int, **changes: str) -> str:
    values = {
        "id": f"00u{number}",
        "status": "ACTIVE",
        "statusChanged": "2020-04-01T00:00:00.000Z",
        "login": f"p{number}@example.test",
        "firstName": f"名{number}",
        "lastName": f"姓{number}",
        "email": f"p{number}@example.test",
        "employeeNumber": f"{number:04d}",
        "department": "開発部",
        "title": "主任",
        "hireDate": "2020-04-01",
    }
    values.update(changes)
    return ",".join(values[name] for name in OKTA_HEADER.split(","))


def hrmos_row(number: int, **changes: str) -> str:
    values = {
        "社員コード": f"{number:04d}",
        "姓": f"姓{number}",
        "名": f"名{number}",
        "メールアドレス": f"p{number}@example.test",
        "入社日": "2020/4/1",
        "部署": "開発部",
        "役職": "主任",
        "退職日": "",
    }
    values.update(changes)
    return ",".join(values[name] for name in HRMOS_HEADER.split(","))


@pytest.fixture
def compare(write_file):
    """Reconcile Okta rows with HRMOS rows; return the reconciliation."""

    def run(okta, hrmos, *, hrmos_header=HRMOS_HEADER, templates=None, day=DAY):
        users = write_file("users.csv", "\n".join([OKTA_HEADER, *okta]) + "\n")
        export = write_file(
            "export.csv", "\n".join([hrmos_header, *hrmos]) + "\r\n", bom=True
        )
        loaded = [load_template(name) for name in templates or ["hrmos-core-employees"]]
        validations = validate_many(read_users(users), loaded)
        return reconcile.reconcile(
            validations, reconcile.read_export(export, loaded), day
        )

    return run


def categories(result) -> dict[str, str]:
    return dict(zip(result.people["code"], result.people["category"], strict=True))


def test_forty_of_fifty_in_hrmos_three_with_a_changed_title(compare):
    okta = [okta_row(n) for n in range(1, 51)]
    okta[0] = okta_row(1, title="部長")
    okta[1] = okta_row(2, title="課長")
    okta[2] = okta_row(3, title="係長")
    result = compare(okta, [hrmos_row(n) for n in range(1, 41)])

    counts = result.counts
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (10, 3, 37)
    assert counts["leaver"] == counts["conflict"] == 0
    assert list(
        result.changes[["code", "column", "old", "new"]].itertuples(
            index=False, name=None
        )
    ) == [
        ("0001", "役職", "主任", "部長"),
        ("0002", "役職", "主任", "課長"),
        ("0003", "役職", "主任", "係長"),
    ]
    # No file row for the 37 unchanged: 10 to register, 3 to edit.
    assert list(result.register) == list(range(42, 52))
    [edit] = result.edits
    assert list(edit.rows["社員コード"]) == ["0001", "0002", "0003"]
    assert list(edit.rows["役職"]) == ["部長", "課長", "係長"]
    assert list(edit.rows["適用日"]) == ["2027/04/01"] * 3
    assert edit.layout.headers[:2] == ["社員コード", "適用日"]
    assert result.pending


def test_nothing_pending_when_hrmos_already_matches(compare):
    result = compare(
        [okta_row(n) for n in range(1, 4)], [hrmos_row(n) for n in range(1, 4)]
    )
    assert result.counts["unchanged"] == 3
    assert not result.pending
    assert result.edits == [] and result.register.empty


def test_an_okta_export_missing_30_percent_is_refused_with_the_count(compare):
    result = compare(
        [okta_row(n) for n in range(1, 36)], [hrmos_row(n) for n in range(1, 51)]
    )
    assert result.count("leaver") == 15 and result.hrmos_active == 50

    with pytest.raises(SafeguardError) as refused:
        check_leavers(result)
    message = str(refused.value)
    assert "15 leavers" in message and "30%" in message and "50 people" in message
    assert "--force" in message
    assert refused.value.exit_code == 4

    warning = check_leavers(result, force=True)
    assert warning is not None and "15 leavers" in warning


def test_max_leavers_refuses_below_the_share(compare):
    result = compare(
        [okta_row(n) for n in range(1, 49)], [hrmos_row(n) for n in range(1, 51)]
    )
    assert result.count("leaver") == 2
    assert check_leavers(result) is None
    with pytest.raises(SafeguardError, match="--max-leavers 1"):
        check_leavers(result, max_leavers=1)
    assert check_leavers(result, max_leavers=2) is None


def test_the_same_login_on_two_codes_is_a_conflict_and_neither_is_written(compare):
    okta = [okta_row(1), okta_row(7, login="p2@example.test", email="p7@example.test")]
    result = compare(okta, [hrmos_row(1), hrmos_row(2, 役職="部長")])

    assert categories(result) == {
        "0001": "unchanged",
        "0007": "conflict",
        "0002": "conflict",
    }
    assert result.register.empty and result.edits == []
    assert result.count("leaver") == 0
    assert result.leaver_files == []
    [clash] = result.conflicts.itertuples(index=False)
    assert (clash.code, clash.other_code, clash.value, clash.okta, clash.hrmos) == (
        "0007",
        "0002",
        "p2@example.test",
        "login",
        "メールアドレス",
    )
    reason = result.people.set_index("code").loc["0002", "reason"]
    assert "p2@example.test" in reason and "0007" in reason


def test_a_login_changed_to_one_another_person_holds_is_a_conflict(compare):
    """Compared ignoring case and width: P2@EXAMPLE.TEST is p2@example.test."""
    okta = [okta_row(1, login="P2@EXAMPLE.TEST"), okta_row(3)]
    result = compare(okta, [hrmos_row(1), hrmos_row(2), hrmos_row(3)])
    assert categories(result) == {
        "0001": "conflict",
        "0003": "unchanged",
        "0002": "conflict",
    }
    assert result.edits == [] and result.count("leaver") == 0


def test_leavers_get_a_proposed_date_in_japan(compare):
    okta = [
        okta_row(1),
        okta_row(2, status="DEPROVISIONED", statusChanged="2026-07-26T20:43:12.939Z"),
        okta_row(5, status="DEPROVISIONED", statusChanged="2026-01-10T01:00:00.000Z"),
        okta_row(6, status="SUSPENDED"),
    ]
    hrmos = [
        hrmos_row(1),
        hrmos_row(2),
        hrmos_row(3),
        hrmos_row(4, 退職日="2025/3/31"),
        hrmos_row(6),
    ]
    result = compare(okta, hrmos)

    assert categories(result) == {
        "0001": "unchanged",
        "0002": "leaver",
        "0005": "skipped",
        "0006": "unchanged",
        "0003": "leaver",
        "0004": "retired",
    }
    leavers = result.leavers.set_index("code")
    # 20:43 UTC on the 26th is the 27th in Japan.
    assert leavers.loc["0002", "leaving"] == "2026-07-27"
    assert "DEPROVISIONED" in leavers.loc["0002", "reason"]
    assert leavers.loc["0003", "leaving"] == "2027-04-01"
    assert "not in the Okta export" in leavers.loc["0003", "reason"]
    # Okta's dates and the placeholders go to files of their own.
    dated, placeholder = result.leaver_files
    assert (dated.basis, dated.layout.name) == ("okta", "hrmos-core-leavers-okta-date")
    assert list(dated.rows.itertuples(index=False, name=None)) == [
        ("0002", "2026/07/27", "2026/07/27"),
    ]
    assert (placeholder.basis, placeholder.layout.name) == (
        "effective",
        "hrmos-core-leavers-placeholder-date",
    )
    assert list(placeholder.rows.itertuples(index=False, name=None)) == [
        ("0003", "2027/04/01", "2027/04/01"),
    ]
    for leaving in result.leaver_files:
        assert leaving.layout.headers == ["社員コード", "適用日", "退職日"]
    assert result.hrmos_active == 4


def test_a_rejected_okta_row_is_held_not_taken_for_a_leaver(compare):
    okta = [okta_row(1), okta_row(2, lastName="")]
    result = compare(okta, [hrmos_row(1), hrmos_row(2)])
    assert categories(result) == {"0001": "unchanged", "0002": "held"}
    assert result.count("leaver") == 0


def test_blanks_in_okta_never_clear_and_dates_compare_as_dates(compare):
    okta = [
        okta_row(1, title=""),
        okta_row(2, hireDate="2020/04/01", department=" 開発部"),
    ]
    hrmos = [hrmos_row(1, 役職="部長"), hrmos_row(2, 入社日="2020/4/1", 部署="開発部 ")]
    result = compare(okta, hrmos)
    assert result.counts["unchanged"] == 2
    assert result.changes.empty


def test_edit_rows_carry_hrmos_values_where_okta_is_blank(compare):
    okta = [okta_row(1, title="", department="営業部")]
    result = compare(okta, [hrmos_row(1, 役職="部長")])
    [edit] = result.edits
    row = edit.rows.iloc[0]
    assert (row["部署"], row["役職"]) == ("営業部", "部長")
    assert list(result.changes["column"]) == ["部署"]


def test_an_empty_hrmos_value_is_filled(compare):
    result = compare([okta_row(1)], [hrmos_row(1, 部署="")])
    assert list(
        result.changes[["column", "old", "new"]].itertuples(index=False, name=None)
    ) == [("部署", "", "開発部")]


def test_retired_in_hrmos_but_active_in_okta_is_a_conflict(compare):
    result = compare([okta_row(1, title="部長")], [hrmos_row(1, 退職日="2025/3/31")])
    assert categories(result) == {"0001": "conflict"}
    assert "rehire" in result.people["reason"].iloc[0]
    assert result.edits == []


def test_a_change_before_a_later_hrmos_record_is_a_conflict(compare):
    header = HRMOS_HEADER + ",適用日"
    hrmos = [
        hrmos_row(1) + ",2027/5/1",
        hrmos_row(2) + ",2027/5/1",
        hrmos_row(3) + ",2020/4/1",
    ]
    okta = [okta_row(1, title="部長"), okta_row(2), okta_row(3, title="部長")]
    result = compare(okta, hrmos, hrmos_header=header)
    assert categories(result) == {
        "0001": "conflict",
        "0002": "unchanged",
        "0003": "changed",
    }
    assert "2027-05-01" in result.people["reason"].iloc[0]


def test_a_history_export_uses_each_persons_latest_record(compare):
    header = HRMOS_HEADER + ",適用日"
    hrmos = [
        hrmos_row(1, 役職="部長") + ",2024/4/1",
        hrmos_row(1, 役職="一般") + ",2019/4/1",
        hrmos_row(2) + ",2020/4/1",
    ]
    result = compare(
        [okta_row(1, title="部長"), okta_row(2)], hrmos, hrmos_header=header
    )
    assert result.counts["unchanged"] == 2
    assert any("latest 適用日" in note for note in result.notes)


def test_repeated_codes_without_a_date_stop(compare):
    with pytest.raises(InputError, match="several rows for 社員コード 0001"):
        compare([okta_row(1)], [hrmos_row(1), hrmos_row(1)])


def test_an_export_without_the_code_column_stops(compare):
    with pytest.raises(InputError, match="no 社員コード column"):
        compare([okta_row(1)], ["a,b"], hrmos_header="氏名,部署")


def test_export_headers_match_ignoring_width_and_spaces(compare):
    header = "ＩＤ, 社員コード ,姓,名,メールアドレス,役職"
    result = compare(
        [okta_row(1)], ["x,0001,姓1,名1,p1@example.test,主任"], hrmos_header=header
    )
    assert result.counts["unchanged"] == 1
    assert any("no 退職日 column" in note for note in result.notes)
    assert any("入社日" in note and "not compared" in note for note in result.notes)


def test_several_templates_each_get_their_own_edit_file(compare):
    header = HRMOS_HEADER + ",認証メールアドレス,認証方法"
    hrmos = [
        hrmos_row(1) + ",p1@example.test,SSO",
        hrmos_row(2, 役職="部長") + ",p2@example.test,メールアドレス",
    ]
    result = compare(
        [okta_row(1), okta_row(2)],
        hrmos,
        hrmos_header=header,
        templates=["hrmos-core-employees", "hrmos-core-account"],
    )
    assert categories(result) == {"0001": "unchanged", "0002": "changed"}
    employees, account = result.edits
    assert employees.layout.headers[:2] == ["社員コード", "適用日"]
    # The アカウント category keeps no history: no 適用日.
    assert account.layout.headers == ["社員コード", "認証メールアドレス", "認証方法"]
    assert list(account.rows.iloc[0]) == ["0002", "p2@example.test", "SSO"]
    assert set(result.changes["file"]) == {"hrmos-core-employees", "hrmos-core-account"}


def test_describe_lists_counts_and_field_changes(compare):
    result = compare(
        [okta_row(1, title="部長"), okta_row(2)], [hrmos_row(1), hrmos_row(3)]
    )
    text = reconcile.describe(result)
    assert "changed   0001  役職: 主任 → 部長" in text
    assert "leaver    0003  proposed 退職日 2027-04-01: not in the Okta export" in text
    assert "new              1" in text


def test_edits_are_written_one_file_per_section_with_only_its_people(compare):
    okta = [
        okta_row(1, title="部長"),
        okta_row(2, email="new2@example.test"),
        okta_row(3, title="課長", lastName="新姓3"),
        okta_row(4),
    ]
    result = compare(okta, [hrmos_row(n) for n in range(1, 5)])
    assert [(e.section, e.layout.name) for e in result.edits] == [
        ("個人情報 > 基本情報", "hrmos-core-employees-edit-個人情報-基本情報"),
        ("業務情報 > 部署・役職", "hrmos-core-employees-edit-業務情報-部署・役職"),
    ]
    personal, post = result.edits
    assert personal.layout.headers == [
        "社員コード",
        "適用日",
        "姓",
        "名",
        "メールアドレス",
    ]
    assert list(personal.rows["社員コード"]) == ["0002", "0003"]
    assert list(personal.rows["姓"]) == ["姓2", "新姓3"]
    assert post.layout.headers == ["社員コード", "適用日", "部署", "役職"]
    assert list(post.rows.itertuples(index=False, name=None)) == [
        ("0001", "2027/04/01", "開発部", "部長"),
        ("0003", "2027/04/01", "開発部", "課長"),
    ]


def test_a_template_without_sections_keeps_one_edit_file(compare, write_file):
    template = (
        '[[columns]]\nheader = "社員コード"\nsource = "employeeNumber"\n'
        'required = true\nrules = ["code"]\n'
        '[[columns]]\nheader = "メールアドレス"\nsource = "email"\n'
        '[[columns]]\nheader = "役職"\nsource = "title"\n'
    )
    path = write_file("plain.toml", template)
    okta = [okta_row(1, title="部長", email="x1@example.test")]
    result = compare(okta, [hrmos_row(1)], templates=[str(path)])
    [edit] = result.edits
    assert (edit.section, edit.layout.name) == ("", "plain-edit")
    assert edit.layout.headers == ["社員コード", "適用日", "メールアドレス", "役職"]


def test_people_carry_their_names_from_okta_or_else_hrmos(compare):
    result = compare(
        [okta_row(1), okta_row(2)], [hrmos_row(1, 姓="旧姓"), hrmos_row(3)]
    )
    names = dict(zip(result.people["code"], result.people["name"], strict=True))
    assert names == {"0001": "姓1 名1", "0002": "姓2 名2", "0003": "姓3 名3"}
    assert list(result.leavers["name"]) == ["姓3 名3"]


def test_leavers_say_where_their_date_comes_from(compare):
    okta = [
        okta_row(1, status="DEPROVISIONED", statusChanged="2026-07-26T20:43:12.939Z"),
        okta_row(2, status="DEPROVISIONED", statusChanged=""),
    ]
    result = compare(okta, [hrmos_row(1), hrmos_row(2), hrmos_row(3)])
    leavers = result.leavers.set_index("code")
    assert list(leavers["basis"]) == ["okta", "effective", "effective"]
    assert list(leavers["leaving"]) == ["2026-07-27", "2027-04-01", "2027-04-01"]
    assert leavers.loc["0001", "status_changed"] == "2026-07-26T20:43:12.939Z"


def test_new_people_with_surprising_hire_dates_or_names_get_notices(compare):
    okta = [
        okta_row(1),
        okta_row(2, hireDate="2027-05-01"),
        okta_row(3, hireDate="2010-04-01"),
        okta_row(4, hireDate="2027-02-01", lastName="姓9", firstName="名9"),
        okta_row(5, hireDate="2027-01-01"),
    ]
    result = compare(okta, [hrmos_row(1), hrmos_row(9)])
    assert result.count("new") == 4
    notices = result.notices
    assert list(
        notices[["code", "notice", "value", "other"]].itertuples(index=False, name=None)
    ) == [
        ("0002", "future-hire-date", "2027/05/01", ""),
        ("0003", "old-hire-date", "2010/04/01", ""),
        ("0004", "same-name-in-hrmos", "姓9 名9", "0009"),
    ]
    assert "2027/05/01 is after the effective date 2027/04/01" in notices["text"][0]
    # Nobody is rejected for a notice: all four are registered.
    assert list(result.register) == [3, 4, 5, 6]
    text = reconcile.describe(result)
    assert "check     0004  same-name-in-hrmos: HRMOS holds someone" in text
