"""HRMOS import layouts as data: loading, listing and describing templates.

A template is a TOML file: the header row(s), each column's source (an Okta
attribute, the first non-blank of several, or a constant), which columns are
required, the text rules each column carries, and how the file is saved.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_TEMPLATE = "hrmos-core-employees"

RULES = ("code", "kana", "email", "date", "max_length", "one_line", "non_bmp")

LINE_ENDINGS = ("crlf", "lf")

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
_FILE_KEYS = {"encoding", "bom", "line_ending", "header_rows", "rows_per_file"}
_COLUMN_KEYS = {
    "header",
    "source",
    "value",
    "required",
    "rules",
    "date_format",
    "max_length",
    "allowed",
    "line_breaks",
    "note",
}

_DATE_TOKEN = re.compile(r"yyyy|MM|M|dd|d")


@dataclass(frozen=True)
class Column:
    """One column of an HRMOS file and where its values come from."""

    header: str
    source: tuple[str, ...] = ()
    value: str | None = None
    required: bool = False
    rules: tuple[str, ...] = ()
    date_format: str = "yyyy/MM/dd"
    max_length: int | None = None
    allowed: str | None = None
    line_breaks: str = "reject"
    note: str = ""

    @property
    def is_constant(self) -> bool:
        return self.value is not None

    def describe_source(self) -> str:
        if self.is_constant:
            return f"constant {self.value!r}"
        if not self.source:
            return "no source (left out)"
        return " or ".join(self.source)


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
    header_rows: tuple[tuple[str, ...], ...] = ()
    rows_per_file: int | None = None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def required_attributes(self) -> list[str]:
        return [a for c in self.columns if c.required for a in c.source]


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
    """Load and check a template; a template that cannot work stops here."""
    path = resolve(name_or_path)
    data = path.read_bytes()
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Template {path} is not valid TOML: {error}.") from None
    return _build(document, path, hashlib.sha256(data).hexdigest())


def _build(document: dict[str, Any], path: Path, sha256: str) -> Template:
    where = f"Template {path}"
    _refuse_unknown_keys(document, _TEMPLATE_KEYS, where)
    file_settings = document.get("file", {})
    _refuse_unknown_keys(file_settings, _FILE_KEYS, f"{where} [file]")

    raw_columns = document.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise ConfigError(f"{where} has no [[columns]]; add at least one.")
    columns = tuple(
        _build_column(raw, f"{where} column {number}")
        for number, raw in enumerate(raw_columns, start=1)
    )

    headers = [column.header for column in columns]
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        raise ConfigError(
            f"{where} has the header {', '.join(repeated)} more than once; "
            "each column needs its own header."
        )

    line_ending = file_settings.get("line_ending", "crlf")
    if line_ending not in LINE_ENDINGS:
        raise ConfigError(
            f"{where}: line_ending must be one of {', '.join(LINE_ENDINGS)}, "
            f"not {line_ending!r}."
        )
    encoding = file_settings.get("encoding", "utf-8")
    if encoding != "utf-8":
        raise ConfigError(
            f"{where}: encoding must be utf-8 (HRMOS imports only UTF-8), "
            f"not {encoding!r}."
        )
    header_rows = file_settings.get("header_rows", [headers])
    if not header_rows or any(len(row) != len(columns) for row in header_rows):
        raise ConfigError(
            f"{where}: every header row must have one cell per column ({len(columns)})."
        )
    rows_per_file = file_settings.get("rows_per_file")
    if rows_per_file is not None and (
        not isinstance(rows_per_file, int) or rows_per_file < 1
    ):
        raise ConfigError(f"{where}: rows_per_file must be a positive whole number.")

    return Template(
        name=str(document.get("name") or path.stem),
        title=str(document.get("title", "")),
        columns=columns,
        path=path,
        sha256=sha256,
        provisional=bool(document.get("provisional", False)),
        description=str(document.get("description", "")).strip(),
        unique=tuple(document.get("unique", ())),
        encoding=encoding,
        bom=bool(file_settings.get("bom", True)),
        line_ending=line_ending,
        header_rows=tuple(tuple(str(cell) for cell in row) for row in header_rows),
        rows_per_file=rows_per_file,
    )


def _build_column(raw: Any, where: str) -> Column:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} is not a table of settings.")
    _refuse_unknown_keys(raw, _COLUMN_KEYS, where)
    header = raw.get("header")
    if not isinstance(header, str) or not header.strip():
        raise ConfigError(f'{where} has no header; give it `header = "..."`.')
    where = f"{where} ({header})"

    source = raw.get("source", ())
    if isinstance(source, str):
        source = (source,)
    if not all(isinstance(name, str) and name for name in source):
        raise ConfigError(
            f"{where}: source must be an attribute name or a list of them."
        )
    value = raw.get("value")
    if value is not None and source:
        raise ConfigError(f"{where} has both a source and a constant value; keep one.")
    required = bool(raw.get("required", False))
    if required and not source and value is None:
        raise ConfigError(f"{where} is required but has no source; set `source`.")

    rules = tuple(raw.get("rules", ()))
    unknown = [rule for rule in rules if rule not in RULES]
    if unknown:
        raise ConfigError(
            f"{where} has the unknown rule {', '.join(unknown)}; the rules are "
            f"{', '.join(RULES)}."
        )
    date_format = raw.get("date_format", "yyyy/MM/dd")
    if "date" in rules and not _DATE_TOKEN.search(date_format):
        raise ConfigError(
            f"{where}: date_format {date_format!r} has no yyyy, MM or dd; "
            "write it like yyyy/MM/dd."
        )
    max_length = raw.get("max_length")
    if "max_length" in rules and not (isinstance(max_length, int) and max_length > 0):
        raise ConfigError(f"{where} has the max_length rule but no max_length number.")
    allowed = raw.get("allowed")
    if allowed is not None:
        try:
            re.compile(allowed)
        except re.error as error:
            raise ConfigError(
                f"{where}: allowed is not a valid pattern ({error})."
            ) from None
    line_breaks = raw.get("line_breaks", "reject")
    if line_breaks not in ONE_LINE_CHOICES:
        raise ConfigError(
            f"{where}: line_breaks must be one of {', '.join(ONE_LINE_CHOICES)}."
        )

    return Column(
        header=header,
        source=tuple(source),
        value=None if value is None else str(value),
        required=required,
        rules=rules,
        date_format=date_format,
        max_length=max_length,
        allowed=allowed,
        line_breaks=line_breaks,
        note=str(raw.get("note", "")),
    )


def _refuse_unknown_keys(table: Any, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} is not a table of settings.")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{where} has the unknown setting {', '.join(unknown)}; the settings "
            f"are {', '.join(sorted(allowed))}."
        )


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
        f"line ending {template.line_ending.upper()}",
    ]
    if template.rows_per_file:
        lines.append(f"rows per file: {template.rows_per_file}")
    if template.unique:
        lines.append(f"unique: {', '.join(template.unique)}")
    lines += ["", "columns:"]
    width = max(len(column.header) for column in template.columns)
    for column in template.columns:
        flags = ["required"] if column.required else []
        flags += list(column.rules)
        if "date" in column.rules:
            flags.append(f"written {column.date_format}")
        if column.max_length:
            flags.append(f"at most {column.max_length} characters")
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(
            f"  {column.header:<{width}}  ← {column.describe_source()}{suffix}"
        )
    return "\n".join(lines)
