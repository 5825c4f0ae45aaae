"""Reading untrusted Okta exports into the users table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okta2hrmos.errors import InputError
from okta2hrmos.users import BASE_PROFILE, TOP_LEVEL, read_users

from .conftest import OKTA_EXAMPLES


def test_values_stay_text_exactly_as_written(write_file):
    """NA, None, N/A, NULL, zeros and numbers-looking values are kept as text."""
    path = write_file(
        "users.csv",
        "login,lastName,middleName,nickName,employeeNumber,costCenter,zipCode\n"
        "a@example.test,NA,None,N/A,00123,1001,NULL\n"
        "b@example.test,nan,#N/A,-,0123,1.50,\n",
    )
    table = read_users(path).table
    assert table.loc[2].to_dict() == {
        "login": "a@example.test",
        "lastName": "NA",
        "middleName": "None",
        "nickName": "N/A",
        "employeeNumber": "00123",
        "costCenter": "1001",
        "zipCode": "NULL",
    }
    assert table.loc[3].to_dict() == {
        "login": "b@example.test",
        "lastName": "nan",
        "middleName": "#N/A",
        "nickName": "-",
        "employeeNumber": "0123",
        "costCenter": "1.50",
        "zipCode": "",
    }
    assert all(str(dtype) == "string" for dtype in table.dtypes)


def test_quoted_newlines_and_commas_are_kept(write_file):
    path = write_file(
        "users.csv",
        "login,streetAddress,title\r\n"
        'a@example.test,"東京都千代田区\r\n丸の内1-1","部長, 営業"\r\n',
    )
    table = read_users(path).table
    assert table.loc[2, "streetAddress"] == "東京都千代田区\r\n丸の内1-1"
    assert table.loc[2, "title"] == "部長, 営業"


def test_bom_and_quoted_first_header_finds_the_first_column(write_file):
    path = write_file(
        "users.csv",
        '"login","email"\r\n"a@example.test","a@example.test"\r\n',
        bom=True,
    )
    users = read_users(path)
    assert list(users.table.columns) == ["login", "email"]
    assert users.table.loc[2, "login"] == "a@example.test"
    assert users.encoding == "utf-8-sig"


def test_cp932_file_is_read_correctly(write_file):
    """CP932-only characters (not in shift_jis) come through unchanged."""
    text = "login,lastName,department,division\na@example.test,髙野,第Ⅱ営業部,①チーム\n"
    path = write_file("users.csv", text, encoding="cp932")
    users = read_users(path)
    assert users.table.loc[2].to_dict() == {
        "login": "a@example.test",
        "lastName": "髙野",
        "department": "第Ⅱ営業部",
        "division": "①チーム",
    }
    assert users.encoding == "cp932"
    assert any("CP932" in note for note in users.notes)


def test_cp932_name_with_sakizaki(write_file):
    path = write_file(
        "users.csv", "login,lastName\na@example.test,山﨑\n", encoding="cp932"
    )
    assert read_users(path).table.loc[2, "lastName"] == "山﨑"


def test_spreadsheet_blank_rows_are_dropped_and_counted(write_file):
    path = write_file(
        "users.csv",
        "login,employeeNumber,title\na@example.test,1001,部長\n,,\n , ,\u3000\n,,\n",
    )
    users = read_users(path)
    assert users.rows_read == 4
    assert users.dropped_blank == 3
    assert list(users.table.index) == [2]
    assert users.table.loc[2, "employeeNumber"] == "1001"


def test_empty_lines_are_blank_rows(write_file):
    path = write_file("users.csv", "login,email\na@example.test,a@example.test\n\n\n")
    users = read_users(path)
    assert (users.rows_read, users.dropped_blank, len(users.table)) == (3, 2, 1)


def test_duplicate_header_stops_naming_it(write_file):
    path = write_file("users.csv", "login,email,firstName,email\na,b,c,d\n")
    with pytest.raises(InputError, match=r"email \(columns 2 'email', 4 'email'\)"):
        read_users(path)


@pytest.mark.parametrize(
    "header",
    [
        "login,Email,email",
        "login,email,ｅｍａｉｌ",
        "login,email,Primary email",
        "login,email,profile.email",
    ],
)
def test_duplicate_header_differing_in_case_width_or_spelling(write_file, header):
    path = write_file("users.csv", header + "\na,b,c\n")
    with pytest.raises(InputError, match="email"):
        read_users(path)


def test_browser_extension_titles_map_to_api_names(write_file):
    path = write_file(
        "users.csv",
        '"User Id","Status","Username","First name","Last name","Primary email",'
        '"Employee number","Kana Last Name"\n'
        '"00u1","ACTIVE","a@example.test","太郎","山田","a@example.test","007","ヤマダ"\n',
    )
    table = read_users(path).table
    assert list(table.columns) == [
        "id",
        "status",
        "login",
        "firstName",
        "lastName",
        "email",
        "employeeNumber",
        "Kana Last Name",
    ]
    assert table.loc[2, "employeeNumber"] == "007"


def test_okta_import_template_layout_and_column_order(write_file):
    """API names come out in the users-table order, custom attributes sorted."""
    header = ["zCustom", "email", "login", "aCustom", "status", "id"]
    path = write_file("users.csv", ",".join(header) + "\n" + ",".join("123456") + "\n")
    table = read_users(path).table
    assert list(table.columns) == [
        "id",
        "status",
        "login",
        "email",
        "aCustom",
        "zCustom",
    ]


def test_rejects_annotations_are_ignored_when_read_back(write_file):
    path = write_file(
        "rejects.csv",
        "login,okta2hrmos_row,okta2hrmos_codes,okta2hrmos_reasons\na,2,x,y\n",
    )
    users = read_users(path)
    assert list(users.table.columns) == ["login"]


def test_ragged_rows_are_kept_and_reported(write_file):
    path = write_file("users.csv", "login,email\na@x.test,a@x.test,extra\nb@x.test\n")
    users = read_users(path)
    assert users.ragged == {2: (3, ["extra"]), 3: (1, [])}
    assert users.table.loc[3].tolist() == ["b@x.test", ""]


def test_utf8_with_a_damaged_byte_is_not_read_as_cp932(write_file):
    """Refuse silent mojibake: UTF-8 text with one bad byte names the offset."""
    data = "login,lastName\na@example.test,山田\n".encode() + b"\xff\n"
    path = write_file("users.csv", data)
    with pytest.raises(InputError, match=r"damaged byte: 0xFF at offset 37"):
        read_users(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest", "Excel workbook"),
        ("login\na\n".encode("utf-16"), "UTF-16"),
        (b"", "empty"),
        (b"login\n\x81\xff\n", r"offset 6"),
    ],
)
def test_unusable_files_stop_with_the_fix(write_file, data, message):
    path = write_file("users.csv", data)
    with pytest.raises(InputError, match=message):
        read_users(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_users(tmp_path / "nope.csv")


def test_header_without_name_but_with_values_stops(write_file):
    path = write_file("users.csv", "login,,email\na,b,c\n")
    with pytest.raises(InputError, match="column 2 has values but no header"):
        read_users(path)


def test_trailing_empty_column_from_a_spreadsheet_is_ignored(write_file):
    path = write_file("users.csv", "login,email,\na,b,\n")
    assert list(read_users(path).table.columns) == ["login", "email"]


@pytest.mark.parametrize("path", sorted(OKTA_EXAMPLES.glob("ListUsers*.json")))
def test_okta_list_examples_load(path: Path):
    records = json.loads(path.read_text())
    users = read_users(path)
    assert len(users.table) == len(records)
    assert users.table["id"].tolist() == [record["id"] for record in records]
    known = [c for c in users.table.columns if c in TOP_LEVEL + BASE_PROFILE]
    assert known == [c for c in TOP_LEVEL + BASE_PROFILE if c in known]


def test_app_users_use_the_embedded_okta_user():
    users = read_users(OKTA_EXAMPLES / "AppUserListEx.json")
    embedded = json.loads((OKTA_EXAMPLES / "AppUserListEx.json").read_text())
    user = embedded[0]["_embedded"]["user"]
    assert users.table.loc[1, "id"] == user["id"]
    assert users.table.loc[1, "status"] == user["status"]
    assert users.table.loc[1, "login"] == user["profile"]["login"]


def test_null_missing_and_empty_are_all_empty():
    """ListUsersSearchResponse has secondEmail as "" and as null."""
    table = read_users(OKTA_EXAMPLES / "ListUsersSearchResponse.json").table
    assert table["secondEmail"].tolist() == ["", ""]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"errorCode": "E0000011", "errorSummary": "Invalid token"}', "Okta error"),
        ('{"id": 1}', "not a JSON array"),
        (
            '[{"id": "y", "profile": {}}, {"id": "x", "profile": "oops"}]',
            "not a JSON object",
        ),
    ],
)
def test_bad_json_stops_with_one_sentence(write_file, content, message):
    path = write_file("users.json", content)
    with pytest.raises(InputError, match=message):
        read_users(path)


def test_json_values_become_text(write_file):
    record = {
        "id": "00u1",
        "status": "ACTIVE",
        "profile": {
            "login": "a@x.test",
            "isManager": True,
            "level": 3,
            "ratio": 1.5,
            "groups": ["営業", "開発"],
            "nothing": None,
        },
    }
    table = read_users(write_file("u.json", json.dumps([record]))).table
    assert table.loc[1, "isManager"] == "true"
    assert table.loc[1, "level"] == "3"
    assert table.loc[1, "ratio"] == "1.5"
    assert table.loc[1, "groups"] == "営業;開発"
    assert table.loc[1, "nothing"] == ""


def test_an_unclosed_quote_stops_instead_of_swallowing_rows(write_file):
    path = write_file("users.csv", 'login,email\na,a\n"b,b\nc,c\nd,d\n')
    with pytest.raises(InputError, match="never closed .* line 3"):
        read_users(path)


def test_very_long_values_are_read(write_file):
    """A value past the csv module's default limit (128 KiB), with a ragged row."""
    long = "x" * 200_000
    path = write_file("users.csv", f"login,postalAddress\na,{long}\nb,c,d\n")
    users = read_users(path)
    assert users.table.loc[2, "postalAddress"] == long
    assert users.ragged == {3: (3, ["d"])}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("login,email\n", "has a header but it has no rows"),
        ("login,email\n,\n , \n", "all 2 rows are blank"),
    ],
)
def test_a_file_without_users_stops(write_file, content, message):
    with pytest.raises(InputError, match=message):
        read_users(write_file("users.csv", content))


def test_an_empty_json_array_stops(write_file):
    with pytest.raises(InputError, match="holds no users"):
        read_users(write_file("users.json", "[]"))


def test_json_objects_without_profiles_are_not_okta_users(write_file):
    with pytest.raises(InputError, match="none of its objects has a 'profile'"):
        read_users(write_file("users.json", '[{"login": "a@x.test"}]'))


@pytest.mark.parametrize(("separator", "name"), [("\t", "tab"), (";", "semicolon")])
def test_tab_or_semicolon_separated_files_are_named(write_file, separator, name):
    path = write_file("users.csv", separator.join(["login", "email"]) + "\na\tb\n")
    with pytest.raises(InputError, match=f"looks {name}-separated"):
        read_users(path)


def test_latin1_is_not_read_as_cp932(write_file):
    """Åsa Öberg in Latin-1 decodes as CP932 half-width katakana: refuse it."""
    path = write_file(
        "users.csv", "login,firstName,lastName\na,Åsa,Öberg\n", encoding="latin-1"
    )
    with pytest.raises(InputError, match="Latin-1"):
        read_users(path)
    forced = read_users(path, encoding="cp932").table
    assert forced.loc[2, "firstName"] == "ﾅsa"


def test_neither_utf8_nor_cp932_names_both_offsets(write_file):
    path = write_file("users.csv", b"login,name\na,\xc5\xfc\xfc\n")
    with pytest.raises(
        InputError,
        match=r"UTF-8 \(byte 0xC5 at offset 13\) nor "
        r"CP932 \(byte 0xFC at offset 14\)",
    ):
        read_users(path)


def test_forced_utf8_counts_the_bom_in_the_offset(write_file):
    path = write_file("users.csv", b"login\n\xff\n", bom=True)
    with pytest.raises(InputError, match="offset 9"):
        read_users(path, encoding="utf-8")
