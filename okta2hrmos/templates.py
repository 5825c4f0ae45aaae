"""HRMOS import layouts as data: loading, checking, listing and describing templates.

A template is a TOML file: the header row(s), each column's source (an Okta
attribute, the first non-blank of several, a constant, or a lookup in a
mapping CSV), which columns are required, the text rules each column
carries, and how the file is saved. Built-in and learned templates go
through the same loader and the same checks.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_TEMPLATE = "hrmos-core-employees"

RULES = ("code", "kana", "email", "date", "max_length", "one_line", "non_bmp")

LINE_ENDINGS = ("crlf", "lf")
QUOTING = ("minimal", "all")
ONE_LINE_CHOICES = ("reject", "space")

_TEMPLATE_KEYS = {
    "name",
    "title",
    "provisional",
    "description",
    "unique",
    "file",
    "columns",
}
_FILE_KEYS = {
    "encoding",
    "bom",
    "line_ending",
    "quoting",
    "header_rows",
    "rows_per_file",
}
_COLUMN_KEYS = {
    "header",
    "source",
    "value",
    "lookup",
    "effective_date",
    "required",
    "recommended",
    "rules",
    "date_format",
    "max_length",
    "allowed",
    "line_breaks",
    "unique",
    "note",
    "section",
}
_LOOKUP_KEYS = {"file", "key", "value"}

_DATE_TOKEN = re.compile(r"yyyy|MM|M|dd|d")

CONSTANT_PREFIX = "const:"

# HRMOS keys every import by 社員コード and refuses a 認証メールアドレス that
# another account holds, so columns with these headers are unique unless a
# template says `unique = false`.
KEY_HEADERS = (
    "社員コード",
    "社員番号",
    "従業員コード",
    "従業員番号",
    "認証メールアドレス",
)

# Marks that say a column is required, in its header or in a second header row.
REQUIRED_MARKS = ("必須", "required", "※", "*", "＊", "●", "◎")
_BRACKETS = re.compile(r"[（(【\[<＜].*?[）)】\]>＞]")


def field_key(header: str) -> str:
    """Reduce a header to the key under which HRMOS field names are compared."""
    text = unicodedata.normalize("NFKC", header)
    text = _BRACKETS.sub("", text)
    for mark in REQUIRED_MARKS:
        text = text.replace(mark, "")
    return re.sub(r"[\s_・:：\-―]", "", text).casefold()


_KEY_FIELDS = {field_key(header) for header in KEY_HEADERS}


@dataclass(frozen=True)
class Lookup:
    """A mapping CSV that turns an Okta value into an HRMOS value."""

    file: Path
    key: str
    value: str
    table: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    """One column of an HRMOS file and where its values come from."""

    header: str
    source: tuple[str, ...] = ()
    value: str | None = None
    lookup: Lookup | None = None
    effective_date: bool = False
    required: bool = False
    # A blank value in a recommended column is a warning, not a rejection.
    recommended: bool = False
    rules: tuple[str, ...] = ()
    date_format: str = "yyyy/MM/dd"
    max_length: int | None = None
    allowed: str | None = None
    line_breaks: str = "reject"
    unique: bool = False
    note: str = ""
    # The HRMOS section the field belongs to (say "業務情報 > 部署・役職"):
    # edits are written one file per section, as HRMOS imports them.
    section: str = ""

    @property
    def is_constant(self) -> bool:
        return self.value is not None

    def describe_source(self) -> str:
        if self.is_constant:
            return f"constant {self.value!r}"
        parts = []
        if self.effective_date:
            parts.append("--effective-date")
        if self.source:
            parts.append(" or ".join(self.source))
        if not parts:
            return "no source (left out)"
        text = ", else ".join(parts)
        if self.lookup:
            text += f" looked up in {self.lookup.file.name}"
        return text


@dataclass(frozen=True)
class Template:
    """An HRMOS import layout."""

    name: str
    title: str
    columns: tuple[Column, ...]
    path: Path
    sha256: str
    provisional: bool = False
    description: str = ""
    unique: tuple[str, ...] = ()
    encoding: str = "utf-8"
    bom: bool = True
    line_ending: str = "crlf"
    quoting: str = "minimal"
    header_rows: tuple[tuple[str, ...], ...] = ()
    rows_per_file: int | None = None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def templates_dir() -> Path:
    """Return the folder of built-in templates (installed, or the repository's)."""
    installed = Path(__file__).parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).parent.parent / "templates"


def list_templates() -> list[Template]:
    """Load every built-in template, sorted by name."""
    return [load_template(path) for path in sorted(templates_dir().glob("*.toml"))]


def resolve(name_or_path: str | Path) -> Path:
    """Find a template by built-in name or by path."""
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        if not candidate.is_file():
            raise ConfigError(f"Template file {candidate} does not exist.")
        return candidate
    builtin = templates_dir() / f"{text}.toml"
    if builtin.is_file():
        return builtin
    names = ", ".join(sorted(p.stem for p in templates_dir().glob("*.toml")))
    raise ConfigError(
        f"There is no built-in template named {text!r}; choose one of {names} "
        "or give the path of a .toml file."
    )


def load_template(name_or_path: str | Path) -> Template:
    """Load a template; one that cannot work stops with its first problem."""
    template, problems = check_template(name_or_path)
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(
            f"{problems[0]} ({len(problems) - 1} more: run `okta2hrmos "
            "template check` on it to see them all)"
        )
    assert template is not None
    return template


def check_template(name_or_path: str | Path) -> tuple[Template | None, list[str]]:
    """Load a template and list every reason it cannot work."""
    path = resolve(name_or_path)
    return check_text(path.read_bytes(), path)


def check_text(data: bytes, path: Path) -> tuple[Template | None, list[str]]:
    """Build a template from the bytes of a file at ``path``; list its problems."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, [f"Template {path} is not valid TOML: {error}."]
    builder = _Builder(path)
    template = builder.template(document, hashlib.sha256(data).hexdigest())
    return (template if not builder.problems else None), builder.problems


class _Builder:
    """Turns a parsed TOML document into a Template, collecting every problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"Template {path}"
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def template(self, document: dict[str, Any], sha256: str) -> Template | None:
        self._unknown_keys(document, _TEMPLATE_KEYS, self.where)
        settings = document.get("file", {})
        if not isinstance(settings, dict):
            self.problem(f"{self.where}: [file] is not a table of settings.")
            settings = {}
        self._unknown_keys(settings, _FILE_KEYS, f"{self.where} [file]")

        raw_columns = document.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            self.problem(f"{self.where} has no [[columns]]; add at least one.")
            return None
        columns = [
            self.column(raw, f"{self.where} column {number}")
            for number, raw in enumerate(raw_columns, start=1)
        ]
        if any(column is None for column in columns):
            return None
        columns_ = tuple(c for c in columns if c is not None)

        headers = [column.header for column in columns_]
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        if repeated:
            self.problem(
                f"{self.where} has the header {', '.join(repeated)} more than "
                "once; each column needs its own header."
            )

        line_ending = self._choice(settings, "line_ending", "crlf", LINE_ENDINGS)
        quoting = self._choice(settings, "quoting", "minimal", QUOTING)
        encoding = settings.get("encoding", "utf-8")
        if encoding != "utf-8":
            self.problem(
                f"{self.where}: encoding must be utf-8 (HRMOS imports only "
                f"UTF-8), not {encoding!r}."
            )
        header_rows = settings.get("header_rows", [headers])
        if (
            not isinstance(header_rows, list)
            or not header_rows
            or any(
                not isinstance(r, list) or len(r) != len(headers) for r in header_rows
            )
        ):
            self.problem(
                f"{self.where}: header_rows must be a list of rows with one cell "
                f"per column ({len(headers)})."
            )
            header_rows = [headers]
        rows_per_file = settings.get("rows_per_file")
        if rows_per_file is not None and (
            not isinstance(rows_per_file, int)
            or isinstance(rows_per_file, bool)
            or rows_per_file < 1
        ):
            self.problem(
                f"{self.where}: rows_per_file must be a positive whole number."
            )
            rows_per_file = None
        unique = document.get("unique", [])
        if not isinstance(unique, list) or not all(isinstance(u, str) for u in unique):
            self.problem(f"{self.where}: unique must be a list of attribute names.")
            unique = []

        return Template(
            name=str(document.get("name") or self.path.stem),
            title=str(document.get("title", "")),
            columns=columns_,
            path=self.path,
            sha256=sha256,
            provisional=bool(document.get("provisional", False)),
            description=str(document.get("description", "")).strip(),
            unique=tuple(unique),
            encoding="utf-8",
            bom=bool(settings.get("bom", True)),
            line_ending=line_ending,
            quoting=quoting,
            header_rows=tuple(tuple(str(cell) for cell in row) for row in header_rows),
            rows_per_file=rows_per_file,
        )

    def column(self, raw: Any, where: str) -> Column | None:
        if not isinstance(raw, dict):
            self.problem(f"{where} is not a table of settings.")
            return None
        self._unknown_keys(raw, _COLUMN_KEYS, where)
        header = raw.get("header")
        if not isinstance(header, str) or not header.strip():
            self.problem(f'{where} has no header; give it `header = "..."`.')
            return None
        where = f"{where} ({header})"

        source = raw.get("source", ())
        if isinstance(source, str):
            source = (source,)
        if not isinstance(source, list | tuple) or not all(
            isinstance(name, str) and name for name in source
        ):
            self.problem(
                f"{where}: source must be an attribute name or a list of them."
            )
            source = ()
        value = raw.get("value")
        if value is not None and source:
            self.problem(f"{where} has both a source and a constant value; keep one.")
        effective_date = bool(raw.get("effective_date", False))
        required = bool(raw.get("required", False))
        if required and not source and value is None and not effective_date:
            self.problem(f"{where} is required but has no source; set `source`.")
        recommended = bool(raw.get("recommended", False))

        rules = raw.get("rules", [])
        if not isinstance(rules, list):
            self.problem(f"{where}: rules must be a list of rule names.")
            rules = []
        unknown = [rule for rule in rules if rule not in RULES]
        if unknown:
            self.problem(
                f"{where} has the unknown rule {', '.join(map(str, unknown))}; the "
                f"rules are {', '.join(RULES)}."
            )
        if effective_date and "date" not in rules:
            rules = ["date", *rules]
        date_format = raw.get("date_format", "yyyy/MM/dd")
        if "date" in rules:
            self._check_date_format(str(date_format), where)
        max_length = raw.get("max_length")
        if "max_length" in rules and not (
            isinstance(max_length, int)
            and not isinstance(max_length, bool)
            and max_length > 0
        ):
            self.problem(f"{where} has the max_length rule but no max_length number.")
        allowed = raw.get("allowed")
        if allowed is not None:
            try:
                re.compile(allowed)
            except (re.error, TypeError) as error:
                self.problem(f"{where}: allowed is not a valid pattern ({error}).")
        line_breaks = raw.get("line_breaks", "reject")
        if line_breaks not in ONE_LINE_CHOICES:
            self.problem(
                f"{where}: line_breaks must be one of {', '.join(ONE_LINE_CHOICES)}."
            )
        lookup = None
        if "lookup" in raw:
            lookup = self.lookup(raw["lookup"], where)
            if not source:
                self.problem(
                    f"{where} has a lookup but no source attribute to look up."
                )

        unique = raw.get("unique", field_key(header) in _KEY_FIELDS)
        if not isinstance(unique, bool):
            self.problem(f"{where}: unique must be true or false.")
            unique = False
        if value is not None and unique:
            self.problem(
                f"{where} must be unique, so it cannot be the constant {value!r}."
            )
        if value is not None and not str(value).strip():
            self.problem(
                f"{where}: a constant cannot be blank (a blank cell clears HRMOS's "
                "value); remove the column instead."
            )

        section = raw.get("section", "")
        if not isinstance(section, str) or ("section" in raw and not section.strip()):
            self.problem(
                f"{where}: section must name an HRMOS section, like "
                'section = "業務情報 > 部署・役職".'
            )
            section = ""
        # "業務情報>部署・役職" and "業務情報 > 部署・役職" are the same section.
        section = " > ".join(part.strip() for part in section.split(">") if section)

        return Column(
            header=header,
            section=section,
            unique=unique,
            source=tuple(source),
            value=None if value is None else str(value),
            lookup=lookup,
            effective_date=effective_date,
            required=required,
            recommended=recommended,
            rules=tuple(rules),
            date_format=str(date_format),
            max_length=max_length if isinstance(max_length, int) else None,
            allowed=allowed,
            line_breaks=line_breaks,
            note=str(raw.get("note", "")),
        )

    def _check_date_format(self, pattern: str, where: str) -> None:
        """A date pattern needs a year, a month and a day, and no stray letters."""
        tokens = [token for token, _ in format_date_pattern(pattern) if token]
        literals = "".join(text for token, text in format_date_pattern(pattern))
        kinds = sorted({token[0] for token in tokens})
        if (
            kinds != ["M", "d", "y"]
            or len(tokens) != 3
            or re.search(r"[A-Za-z%]", literals)
        ):
            self.problem(
                f"{where}: date_format {pattern!r} is not a date pattern; write it "
                "with yyyy, MM (or M) and dd (or d) once each, like yyyy/MM/dd."
            )

    def lookup(self, raw: Any, where: str) -> Lookup | None:
        if isinstance(raw, str):
            raw = {"file": raw}
        if not isinstance(raw, dict) or "file" not in raw:
            self.problem(
                f"{where}: lookup must name a mapping CSV, `lookup = {{ file = "
                '"departments.csv" }}`.'
            )
            return None
        self._unknown_keys(raw, _LOOKUP_KEYS, f"{where} lookup")
        path = Path(raw["file"])
        if not path.is_absolute():
            path = self.path.parent / path
        try:
            rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        except FileNotFoundError:
            self.problem(f"{where}: the mapping file {path} does not exist.")
            return None
        except UnicodeDecodeError:
            self.problem(
                f"{where}: the mapping file {path} is not UTF-8; save it "
                "as 'CSV UTF-8'."
            )
            return None
        if len(rows) < 1 or len(rows[0]) < 2:
            self.problem(
                f"{where}: the mapping file {path} needs a header row and "
                "two columns (the Okta value, the HRMOS value)."
            )
            return None
        header = rows[0]
        key = raw.get("key", header[0])
        value = raw.get("value", header[1])
        if key not in header or value not in header:
            self.problem(
                f"{where}: the mapping file {path} has no column "
                f"{key if key not in header else value!r}; its columns are "
                f"{', '.join(header)}."
            )
            return None
        k, v = header.index(key), header.index(value)
        pairs: dict[str, str] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            row = row + [""] * (len(header) - len(row))
            okta, hrmos = row[k].strip(), row[v].strip()
            if not hrmos:
                self.problem(
                    f"{where}: the mapping file {path} maps {okta!r} (row {number}) "
                    "to a blank value, which would clear HRMOS's value; fill it in."
                )
            if okta in pairs and pairs[okta] != hrmos:
                self.problem(
                    f"{where}: the mapping file {path} maps {okta!r} twice (row "
                    f"{number}) to different values; keep one."
                )
            pairs[okta] = hrmos
        return Lookup(
            file=path, key=key, value=value, table=tuple(sorted(pairs.items()))
        )

    def _choice(
        self, settings: dict[str, Any], key: str, default: str, choices: tuple[str, ...]
    ) -> str:
        value = settings.get(key, default)
        if value not in choices:
            self.problem(
                f"{self.where}: {key} must be one of {', '.join(choices)}, not "
                f"{value!r}."
            )
            return default
        return value

    def _unknown_keys(self, table: Any, allowed: set[str], where: str) -> None:
        if not isinstance(table, dict):
            return
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.problem(
                f"{where} has the unknown setting {', '.join(unknown)}; the settings "
                f"are {', '.join(sorted(allowed))}."
            )


def with_overrides(template: Template, overrides: dict[str, str]) -> Template:
    """Change the source of some columns, by header, without copying the template.

    An override is an attribute (``kanaLastName``; ``profile.`` is allowed),
    several separated by ``|`` (the first non-blank), ``const:VALUE`` for a
    constant, or nothing to leave the column out.
    """
    columns = []
    for column in template.columns:
        if column.header not in overrides:
            columns.append(column)
            continue
        expression = overrides[column.header].strip()
        if expression.startswith(CONSTANT_PREFIX):
            value = expression[len(CONSTANT_PREFIX) :]
            if column.unique or not value.strip():
                why = "must be unique" if column.unique else "cannot be blank"
                raise ConfigError(
                    f"--map {column.header}={expression}: the column {why}, so it "
                    "cannot take that constant."
                )
            columns.append(dataclasses.replace(column, source=(), value=value))
            continue
        names = [name.strip() for name in expression.split("|") if name.strip()]
        names = [n[len("profile.") :] if n.startswith("profile.") else n for n in names]
        if column.required and not names:
            raise ConfigError(
                f"Column {column.header} of template {template.name} is required; "
                "its source cannot be removed."
            )
        columns.append(dataclasses.replace(column, source=tuple(names), value=None))
    return dataclasses.replace(template, columns=tuple(columns))


def parse_overrides(items: list[str]) -> dict[str, str]:
    """Parse ``HEADER=SOURCE`` items from --map."""
    overrides: dict[str, str] = {}
    for item in items:
        header, separator, expression = item.partition("=")
        if not separator or not header.strip():
            raise ConfigError(
                f"--map {item!r} is not HEADER=SOURCE; write it like "
                "--map 'セイ=kanaLastName'."
            )
        overrides[header.strip()] = expression
    return overrides


def apply_overrides(
    templates: list[Template], overrides: dict[str, str]
) -> list[Template]:
    """Apply overrides to every template that has the header; unknown headers stop."""
    known = {header for template in templates for header in template.headers}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(
            f"No template has the column {', '.join(unknown)}; the columns are "
            f"{', '.join(sorted(known))}."
        )
    return [
        with_overrides(t, {h: e for h, e in overrides.items() if h in t.headers})
        for t in templates
    ]


def format_date_pattern(pattern: str) -> list[tuple[str, str]]:
    """Split a date pattern like ``yyyy/MM/dd`` into (token, literal) parts."""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _DATE_TOKEN.finditer(pattern):
        if match.start() > position:
            parts.append(("", pattern[position : match.start()]))
        parts.append((match.group(), ""))
        position = match.end()
    if position < len(pattern):
        parts.append(("", pattern[position:]))
    return parts


def describe(template: Template) -> str:
    """Return a readable description of a template for `template show`."""
    lines = [f"{template.name}: {template.title}"]
    if template.provisional:
        lines.append(
            "PROVISIONAL: headers are a best guess; check them against your "
            "tenant's own import template."
        )
    if template.description:
        lines += ["", template.description]
    lines += [
        "",
        f"file: {template.path}",
        f"encoding: {template.encoding}{' with BOM' if template.bom else ''}, "
        f"line ending {template.line_ending.upper()}, {template.quoting} quoting, "
        f"{len(template.header_rows)} header row(s)",
    ]
    if template.rows_per_file:
        lines.append(f"rows per file: {template.rows_per_file}")
    if template.unique:
        lines.append(f"unique: {', '.join(template.unique)}")
    lines += ["", "columns:"]
    width = max(len(column.header) for column in template.columns)
    for column in template.columns:
        flags = ["required"] if column.required else []
        flags += ["recommended"] if column.recommended else []
        flags += list(column.rules)
        if "date" in column.rules:
            flags.append(f"written {column.date_format}")
        if column.max_length:
            flags.append(f"at most {column.max_length} characters")
        if column.section:
            flags.append(f"section {column.section}")
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(
            f"  {column.header:<{width}}  ← {column.describe_source()}{suffix}"
        )
    return "\n".join(lines)
