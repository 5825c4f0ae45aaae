"""Learning a template from a file the admin downloaded from their own tenant,
and comparing a template with such a file.

The tenant's file is the ground truth for HRMOS's import layout: its header
row(s), BOM, line ending, quoting and the way its dates are written are
copied as they are, and each column gets a proposed Okta source from a table
of known HRMOS field names.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .csvio import RawCsv, read_csv
from .errors import InputError
from .rules import parse_date
from .templates import REQUIRED_MARKS, Template, check_text, field_key

# Known HRMOS field names (and the spellings tenants use for them) → the Okta
# attribute that usually feeds them, and the rules their values need.
KNOWN_FIELDS: list[tuple[tuple[str, ...], str, tuple[str, ...], str]] = [
    (
        ("社員コード", "社員番号", "従業員コード", "従業員番号", "社員no"),
        "employeeNumber",
        ("code",),
        "HRMOS's employee code, the key of every import",
    ),
    (("姓", "氏", "苗字", "姓漢字", "氏名姓"), "lastName", ("one_line",), "surname"),
    (("名", "名前", "名漢字", "氏名名"), "firstName", ("one_line",), "given name"),
    (
        (
            "セイ",
            "姓カナ",
            "姓フリガナ",
            "フリガナ姓",
            "姓よみ",
            "カナ姓",
            "氏名カナ姓",
        ),
        "kanaLastName",
        ("kana",),
        "surname reading; a custom attribute in most orgs",
    ),
    (
        (
            "メイ",
            "名カナ",
            "名フリガナ",
            "フリガナ名",
            "名よみ",
            "カナ名",
            "氏名カナ名",
        ),
        "kanaFirstName",
        ("kana",),
        "given-name reading; a custom attribute in most orgs",
    ),
    (
        (
            "メールアドレス",
            "業務メールアドレス",
            "業務用メールアドレス",
            "会社メールアドレス",
            "email",
            "eメール",
        ),
        "email",
        ("email",),
        "work email",
    ),
    (
        ("認証メールアドレス", "ログインメールアドレス", "ログインid"),
        "login",
        ("email",),
        "the address the person signs in with",
    ),
    (
        ("個人メールアドレス", "個人用メールアドレス", "プライベートメールアドレス"),
        "secondEmail",
        ("email",),
        "personal email",
    ),
    (
        ("入社日", "入社年月日", "入社日付"),
        "hireDate",
        ("date",),
        "hire date; a custom attribute in most orgs",
    ),
    (
        ("部署", "部署名", "所属部署", "所属", "部署・役職主務部署名"),
        "department",
        ("one_line",),
        "department name",
    ),
    (("役職", "役職名", "肩書", "肩書き"), "title", ("one_line",), "job title"),
    (("雇用形態",), "userType", ("one_line",), "employment type"),
    (("携帯電話番号", "携帯番号", "携帯電話"), "mobilePhone", (), "mobile phone"),
    (("電話番号", "会社電話番号", "内線番号"), "primaryPhone", (), "phone"),
    (("表示名", "氏名表示名"), "displayName", ("one_line",), "display name"),
    (("ミドルネーム",), "middleName", ("one_line",), "middle name"),
    (("郵便番号",), "zipCode", (), "postal code"),
    (("都道府県",), "state", (), "prefecture"),
    (("市区町村",), "city", (), "city"),
    (("住所", "番地"), "streetAddress", (), "street address"),
    (("組織", "会社名"), "organization", (), "organization"),
    (("部門", "事業部"), "division", (), "division"),
    (("コストセンター", "原価センター"), "costCenter", (), "cost center"),
    (("上長", "上司", "上長氏名"), "manager", (), "manager's name"),
    (("適用日", "発令日"), "", ("date",), "effective date of the history record"),
]

OPTIONAL_MARKS = ("任意", "optional", "")

_DATE_SHAPES = [
    (re.compile(r"\d{4}([/.-])(\d{1,2})\1(\d{1,2})"), "yyyy{0}{m}{0}{d}"),
    (re.compile(r"\d{4}年(\d{1,2})月(\d{1,2})日"), "yyyy年{m}月{d}日"),
    (re.compile(r"\d{8}"), "yyyyMMdd"),
]


@dataclass
class Learned:
    """A learned template's TOML text and what learning found."""

    text: str
    mapped: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def learn(
    sample: Path,
    name: str | None = None,
    header_rows: int | None = None,
    output: Path | None = None,
) -> Learned:
    """Learn a template from a tenant's import template or history export."""
    raw = read_csv(sample)
    notes = []
    if raw.encoding == "cp932":
        notes.append(
            f"{sample.name} is CP932 (Windows Japanese), but HRMOS imports only UTF-8: "
            "the learned template writes UTF-8. Download the file from HRMOS again, "
            "or save it as 'CSV UTF-8' before you compare."
        )

    _refuse_unusable_header(sample, raw.header)
    rows = [raw.header] + raw.cells.astype(str).values.tolist()
    count = header_rows or _count_header_rows(rows)
    if count > len(rows):
        raise InputError(
            f"{sample} has {len(rows)} rows, fewer than the {count} header rows "
            "given with --header-rows."
        )
    headers, data = rows[:count], rows[count:]
    markers = headers[1] if count > 1 else [""] * len(raw.header)

    learned = Learned(text="", notes=notes)
    columns = []
    for position, header in enumerate(raw.header):
        values = [row[position] for row in data if row[position].strip()]
        column = _learn_column(header, markers[position], values)
        columns.append(column)
        if column["effective_date"]:
            learned.mapped.append((header, "--effective-date, else hireDate"))
        elif column["source"]:
            learned.mapped.append((header, column["source"]))
        elif not column["effective_date"]:
            learned.unmapped.append(header)
        if column["required"]:
            learned.required.append(header)

    name = name or _name_of(output or sample)
    output = output or Path(f"{name}.toml")
    learned.text = _render(sample, name, output, raw, headers, columns, notes)
    _, problems = check_text(learned.text.encode("utf-8"), output)
    if problems:
        raise InputError(f"A template learned from {sample} cannot work: {problems[0]}")
    return learned


def _refuse_unusable_header(sample: Path, header: list[str]) -> None:
    blank = [str(n) for n, cell in enumerate(header, start=1) if not cell.strip()]
    if blank:
        raise InputError(
            f"{sample}: header cell {', '.join(blank)} is empty, so that column "
            "cannot be told apart; give it its HRMOS field name and run again."
        )
    repeated = sorted({cell for cell in header if header.count(cell) > 1})
    if repeated:
        raise InputError(
            f"{sample}: the header has {', '.join(repeated)} more than once; an "
            "HRMOS file names each field once, so check the file and run again."
        )


def _count_header_rows(rows: list[list[str]]) -> int:
    """Two header rows when the second holds only required/optional marks."""
    if len(rows) > 1:
        cells = [cell.strip().casefold() for cell in rows[1]]
        marks = REQUIRED_MARKS + OPTIONAL_MARKS
        if any(cells) and all(cell in marks for cell in cells):
            return 2
    return 1


_BY_KEY = {
    field_key(name): (attribute, rules, meaning)
    for names, attribute, rules, meaning in KNOWN_FIELDS
    for name in names
}


def _learn_column(header: str, marker: str, values: list[str]) -> dict:
    key = field_key(header)
    attribute, rules, meaning = _BY_KEY.get(key, ("", (), ""))
    marked = any(
        mark in unicodedata.normalize("NFKC", header) for mark in REQUIRED_MARKS[:2]
    )
    marked = marked or marker.strip().casefold() in REQUIRED_MARKS
    effective = key in (field_key("適用日"), field_key("発令日"))
    rules = list(rules)
    date_format = None
    if not rules and values and all(parse_date(v).startswith("=") for v in values):
        rules = ["date"]
        meaning = "its values are dates"
    if "date" in rules:
        date_format = _date_pattern(values)
    return {
        "header": header,
        "source": attribute,
        "meaning": meaning,
        "rules": rules,
        "required": marked or attribute == "employeeNumber",
        "marked": marked,
        "date_format": date_format,
        "effective_date": effective,
        "seen_dates": bool(values) and date_format is not None,
    }


def _date_pattern(values: list[str]) -> str:
    """The pattern the sample's dates are written in (default yyyy/MM/dd)."""
    shapes: Counter[str] = Counter()
    for value in values:
        text = value.strip()
        for pattern, shape in _DATE_SHAPES:
            match = pattern.fullmatch(text)
            if not match:
                continue
            if shape == "yyyyMMdd":
                shapes[shape] += 1
                break
            groups = match.groups()
            separator = groups[0] if shape.startswith("yyyy{0}") else ""
            month, day = groups[-2], groups[-1]
            short = (len(month) == 1) or (len(day) == 1)
            padded = (month.startswith("0")) or (day.startswith("0"))
            if short:
                m, d = "M", "d"
            elif padded:
                m, d = "MM", "dd"
            else:
                m, d = "?", "?"
            shapes[shape.format(separator, m=m, d=d)] += 1
            break
    known = [s for s in shapes if "?" not in s]
    if known:
        return max(known, key=lambda s: shapes[s])
    if shapes:
        return next(iter(shapes)).replace("?", "MM", 1).replace("?", "dd", 1)
    return "yyyy/MM/dd"


def _name_of(sample: Path) -> str:
    stem = re.sub(r"[^0-9A-Za-z]+", "-", sample.stem).strip("-").lower()
    return stem or "learned"


def _render(
    sample: Path,
    name: str,
    output: Path,
    raw: RawCsv,
    headers: list[list[str]],
    columns: list[dict],
    notes: list[str],
) -> str:
    """Write the learned template as TOML a person can read and edit."""
    quoted = _all_quoted(raw)
    lines = [
        f"# Learned by okta2hrmos {__version__} from {sample.name}.",
        "# It copies that file's layout: header row(s), BOM, line ending, quoting",
        "# and date pattern. Sources marked 'guess' come from a table of known",
        "# HRMOS field names: check each one, set the unmapped ones, then run",
        f"#   okta2hrmos template check {output.name} --against {sample.name}",
    ]
    lines += [f"# Note: {note}" for note in notes]
    lines += [
        "",
        f"name = {_s(name)}",
        f"title = {_s('Learned from ' + sample.name)}",
        'unique = ["employeeNumber", "login", "email"]',
        "",
        "[file]",
        'encoding = "utf-8"',
        f"bom = {'true' if raw.bom else 'false'}",
        f"line_ending = {_s('crlf' if raw.line_ending == 'crlf' else 'lf')}",
        f"quoting = {_s('all' if quoted else 'minimal')}",
        "header_rows = [",
    ]
    lines += [f"  [{', '.join(_s(cell) for cell in row)}]," for row in headers]
    lines.append("]")

    for column in columns:
        lines += ["", "[[columns]]", f"header = {_s(column['header'])}"]
        if column["effective_date"]:
            lines.append(
                "effective_date = true  # --effective-date, else the source below"
            )
            lines.append('source = "hireDate"  # guess: first records start at hire')
        elif column["source"]:
            lines.append(
                f"source = {_s(column['source'])}  # guess: {column['meaning']}"
            )
        else:
            reason = "its values are dates; " if column["rules"] == ["date"] else ""
            lines.append(
                f"# no source: okta2hrmos knows no Okta attribute for this column "
                f"({reason}set `source`, or it is left out of the file)"
            )
        if column["required"]:
            why = "marked required in the sample" if column["marked"] else "the key"
            lines.append(f"required = true  # {why}")
        if column["rules"]:
            lines.append(f"rules = [{', '.join(_s(rule) for rule in column['rules'])}]")
        if column["date_format"]:
            seen = (
                "as the sample writes dates"
                if column["seen_dates"]
                else ("no dates in the sample: check it")
            )
            lines.append(f"date_format = {_s(column['date_format'])}  # {seen}")
    return "\n".join(lines) + "\n"


def _all_quoted(raw: RawCsv) -> bool:
    """Whether the sample quotes every field of its header."""
    first = raw.path.read_bytes().lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    first = first.rstrip(b"\r")
    fields = first.split(b",")
    return (
        bool(first)
        and len(fields) == len(raw.header)
        and all(f.startswith(b'"') and f.endswith(b'"') for f in fields)
    )


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def compare(template: Template, sample: Path) -> list[str]:
    """List every difference between a template and a tenant's file."""
    raw = read_csv(sample)
    rows = [raw.header] + raw.cells.astype(str).values.tolist()
    expected = [list(row) for row in template.header_rows]
    actual = rows[: len(expected)]
    differences = []

    if raw.encoding == "cp932":
        differences.append(
            f"{sample.name} is CP932, but HRMOS imports UTF-8 and the template writes "
            "UTF-8; download the file from HRMOS again"
        )
    if raw.bom != template.bom:
        differences.append(
            f"{sample.name} {'has' if raw.bom else 'has no'} BOM; the template writes "
            f"{'one' if template.bom else 'none'} (set bom = "
            f"{'true' if raw.bom else 'false'})"
        )
    line_ending = "crlf" if raw.line_ending == "crlf" else "lf"
    if line_ending != template.line_ending:
        differences.append(
            f"{sample.name} ends lines with {line_ending.upper()}; the template writes "
            f'{template.line_ending.upper()} (set line_ending = "{line_ending}")'
        )
    quoting = "all" if _all_quoted(raw) else "minimal"
    if quoting != template.quoting:
        differences.append(
            f"{sample.name} quotes {'every' if quoting == 'all' else 'only needed'} "
            f"field(s); the template's quoting is {template.quoting!r} "
            f'(set quoting = "{quoting}")'
        )

    sample_headers, template_headers = raw.header, list(template.header_rows[0])
    missing = [h for h in sample_headers if h not in template_headers]
    extra = [h for h in template_headers if h not in sample_headers]
    if missing:
        differences.append(
            f"the template has no column {', '.join(missing)}, which {sample.name} has"
        )
    if extra:
        differences.append(
            f"the template has the column {', '.join(extra)}, which {sample.name} "
            "does not"
        )
    common_sample = [h for h in sample_headers if h in template_headers]
    common_template = [h for h in template_headers if h in sample_headers]
    if common_sample != common_template:
        differences.append(
            f"the columns are in another order: {sample.name} has "
            f"{', '.join(common_sample)}"
        )
    for number, (want, have) in enumerate(zip(expected, actual, strict=False), start=1):
        if number == 1 or want == have:
            continue
        differences.append(
            f"header row {number} differs: {sample.name} has {', '.join(have)}; "
            f"the template has {', '.join(want)}"
        )
    header_count = _count_header_rows(rows)
    if header_count != len(expected):
        differences.append(
            f"{sample.name} has {header_count} header row(s); the template has "
            f"{len(expected)} (set header_rows)"
        )

    data = rows[max(header_count, len(expected)) :]
    for column in template.columns:
        if "date" not in column.rules or column.header not in sample_headers:
            continue
        position = sample_headers.index(column.header)
        values = [row[position] for row in data if row[position].strip()]
        if not values:
            continue
        pattern = _date_pattern(values)
        if pattern != column.date_format:
            differences.append(
                f"{sample.name} writes {column.header} as {pattern} "
                f"({values[0]}); the template writes {column.date_format} "
                f'(set date_format = "{pattern}")'
            )
    return differences
