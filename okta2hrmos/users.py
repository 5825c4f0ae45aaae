"""The canonical users table: one row per Okta user, every value text.

The table is a pandas DataFrame whose index is the source row number (the
header is row 1, as a spreadsheet shows it) and whose columns are Okta API
attribute names: the user's top-level fields, then the base profile
attributes in the order of Okta's CSV import template, then custom
attributes sorted by name. Only the attributes the source had are present.
A missing key, ``null`` and ``""`` are all the empty string.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .csvio import TEXT, read_csv
from .errors import InputError

TOP_LEVEL = [
    "id",
    "status",
    "created",
    "activated",
    "statusChanged",
    "lastLogin",
    "lastUpdated",
    "passwordChanged",
]

BASE_PROFILE = [
    "login",
    "firstName",
    "lastName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "email",
    "title",
    "displayName",
    "nickName",
    "profileUrl",
    "secondEmail",
    "mobilePhone",
    "primaryPhone",
    "streetAddress",
    "city",
    "state",
    "zipCode",
    "countryCode",
    "postalAddress",
    "preferredLanguage",
    "locale",
    "timezone",
    "userType",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "managerId",
    "manager",
]

KNOWN = TOP_LEVEL + BASE_PROFILE

# Column titles of the popular browser extension's "Export Users" (its fixed
# user fields, and the titles of Okta's base profile schema).
DISPLAY_TITLES = {
    "User Id": "id",
    "Status": "status",
    "Created Date": "created",
    "Activated Date": "activated",
    "Status Changed Date": "statusChanged",
    "Last Login Date": "lastLogin",
    "Last Updated Date": "lastUpdated",
    "Password Changed Date": "passwordChanged",
    "Username": "login",
    "First name": "firstName",
    "Last name": "lastName",
    "Middle name": "middleName",
    "Honorific prefix": "honorificPrefix",
    "Honorific suffix": "honorificSuffix",
    "Primary email": "email",
    "Title": "title",
    "Display name": "displayName",
    "Nickname": "nickName",
    "Profile Url": "profileUrl",
    "Secondary email": "secondEmail",
    "Mobile phone": "mobilePhone",
    "Primary phone": "primaryPhone",
    "Street address": "streetAddress",
    "City": "city",
    "State": "state",
    "Zip code": "zipCode",
    "Country code": "countryCode",
    "Postal Address": "postalAddress",
    "Preferred language": "preferredLanguage",
    "Locale": "locale",
    "Time zone": "timezone",
    "User type": "userType",
    "Employee number": "employeeNumber",
    "Cost center": "costCenter",
    "Organization": "organization",
    "Division": "division",
    "Department": "department",
    "Manager Id": "managerId",
    "Manager": "manager",
}

# Columns that okta2hrmos itself adds to a rejects file; they are not user
# attributes, so a fixed rejects file can be read back in.
ANNOTATION_PREFIX = "okta2hrmos_"

ARRAY_SEPARATOR = ";"


def header_key(name: str) -> str:
    """Return the key under which two header names count as the same."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _loose_key(name: str) -> str:
    return "".join(ch for ch in header_key(name) if ch.isalnum())


_BY_KEY = {header_key(name): name for name in KNOWN}
_BY_KEY.update({header_key(title): name for title, name in DISPLAY_TITLES.items()})
_BY_LOOSE_KEY = {_loose_key(name): name for name in KNOWN}


def canonical_name(header: str, custom: Mapping[str, str] | None = None) -> str:
    """Map a CSV header to its Okta attribute name.

    API names (``login``), dotted names (``profile.login``), the extension's
    titles (``Username``) and custom attribute titles from a schema are
    recognised; anything else is a custom attribute named as written.
    """
    name = header.strip()
    for prefix in ("profile.", "profile:"):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
    key = header_key(name)
    if key in _BY_KEY:
        return _BY_KEY[key]
    if custom and key in custom:
        return custom[key]
    if _loose_key(name) in _BY_LOOSE_KEY:
        return _BY_LOOSE_KEY[_loose_key(name)]
    return name


def find_attribute(columns: Iterable[str], name: str) -> str | None:
    """Find the column holding an attribute: by name, else by title spelling.

    A custom attribute exported under its title (``Kana Last Name``) is found
    for ``kanaLastName`` when exactly one column spells that way.
    """
    columns = list(columns)
    if name in columns:
        return name
    loose = [column for column in columns if _loose_key(column) == _loose_key(name)]
    return loose[0] if len(loose) == 1 else None


def ordered(columns: Iterable[str]) -> list[str]:
    """Order attribute names: top-level, base profile, then custom by name."""
    present = set(columns)
    known = [name for name in KNOWN if name in present]
    custom = sorted(present - set(KNOWN))
    return known + custom


def to_text(value: Any) -> str:
    """Turn one JSON value into the text the table holds.

    ``None`` is empty, booleans are ``true``/``false`` as in JSON, numbers
    are written as JSON writes them, arrays are their elements' texts joined
    by ``;``, and objects are compact JSON.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return ARRAY_SEPARATOR.join(to_text(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def okta_user(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the Okta user of a record: itself, or an app user's embedded user."""
    embedded = record.get("_embedded")
    if isinstance(embedded, Mapping) and isinstance(embedded.get("user"), Mapping):
        return embedded["user"]
    return record


def flatten(record: Mapping[str, Any]) -> dict[str, str]:
    """Flatten one Okta user object into attribute name → text."""
    user = okta_user(record)
    row = {name: to_text(user.get(name)) for name in TOP_LEVEL if name in user}
    profile = user.get("profile") or {}
    if not isinstance(profile, Mapping):
        raise ValueError("the user's 'profile' is not a JSON object")
    for name, value in profile.items():
        row[name] = to_text(value)
    return row


def table_from_records(
    records: Iterable[Mapping[str, Any]],
    attributes: Sequence[str] | None = None,
    first_row: int = 1,
) -> pd.DataFrame:
    """Build the users table from Okta user objects (or app users).

    ``attributes`` fixes the columns (for example from the org's user schema);
    without it the columns are every top-level field and profile key seen.
    Rows are numbered from ``first_row``, the position of the first record in
    its source.
    """
    rows = [flatten(record) for record in records]
    if attributes is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = ordered(seen)
    else:
        columns = ordered(attributes)
    return table_from_rows(rows, columns, first_row)


def table_from_rows(
    rows: Sequence[Mapping[str, str]], columns: Sequence[str], first_row: int = 1
) -> pd.DataFrame:
    """Build the users table from already flattened rows."""
    data = {name: [row.get(name, "") for row in rows] for name in columns}
    index = pd.RangeIndex(first_row, first_row + len(rows), name="row")
    return pd.DataFrame(data, index=index, columns=list(columns), dtype=TEXT)


@dataclass
class Users:
    """The users table with what reading its source found out."""

    table: pd.DataFrame
    source: str
    format: str
    encoding: str = ""
    rows_read: int = 0
    dropped_blank: int = 0
    notes: list[str] = field(default_factory=list)
    # CSV data rows whose field count differs from the header's:
    # row number -> (fields found, fields beyond the header's width).
    ragged: dict[int, tuple[int, list[str]]] = field(default_factory=dict)
    # How many fields the CSV header has.
    header_width: int = 0


def read_users(path: Path, encoding: str = "auto") -> Users:
    """Read users from an Okta CSV export or JSON file into the users table."""
    if path.suffix.lower() == ".json":
        return _read_json(path)
    return _read_csv(path, encoding)


def _read_json(path: Path) -> Users:
    try:
        records = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; check the path.") from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path} is not UTF-8: byte offset {error.start} cannot be decoded; "
            "JSON from Okta is always UTF-8, so export it again."
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); export the users again or fix the file."
        ) from None

    if isinstance(records, Mapping) and "errorCode" in records:
        raise InputError(
            f"{path} holds an Okta error ({records.get('errorCode')}: "
            f"{records.get('errorSummary')}), not users; export the users again."
        )
    if not isinstance(records, list) or not all(
        isinstance(record, Mapping) for record in records
    ):
        raise InputError(
            f"{path} is not a JSON array of Okta users; give the body of "
            "GET /api/v1/users (or of an app's users) as returned by Okta."
        )
    if not records:
        raise InputError(f"{path} holds no users (an empty array); export them again.")
    if not any(
        isinstance(record.get("profile"), Mapping)
        or isinstance(record.get("_embedded"), Mapping)
        for record in records
    ):
        raise InputError(
            f"{path} holds no Okta users: none of its objects has a 'profile'; give "
            "the body of GET /api/v1/users (or of an app's users) as Okta returns it."
        )
    try:
        table = table_from_records(records)
    except ValueError as error:
        raise InputError(f"{path}: {error}; export the users again.") from None
    return Users(
        table=table,
        source=str(path),
        format="okta-json",
        encoding="utf-8",
        rows_read=len(table),
    )


def _read_csv(path: Path, encoding: str) -> Users:
    raw = read_csv(path, encoding)
    notes: list[str] = []
    if raw.encoding == "cp932":
        notes.append(f"{path.name} was read as CP932 (Windows Japanese).")

    cells = raw.cells
    names: dict[int, str] = {}
    annotations = [h for h in raw.header if h.startswith(ANNOTATION_PREFIX)]
    if annotations:
        notes.append(
            f"Columns {', '.join(annotations)} were added by okta2hrmos and are "
            "ignored."
        )
    for position, header in enumerate(raw.header):
        if header.startswith(ANNOTATION_PREFIX):
            continue
        if not header.strip():
            if cells[position].str.strip().eq("").all():
                continue
            raise InputError(
                f"{path}: column {position + 1} has values but no header name; "
                "give it the Okta attribute name and run again."
            )
        names[position] = canonical_name(header)
    _refuse_duplicate_headers(path, raw.header, names)

    blank = _blank_rows(cells, raw.ragged)
    if len(blank) == len(cells):
        rows = f"all {len(cells)} rows are blank" if len(cells) else "it has no rows"
        raise InputError(
            f"{path} holds no users: it has a header but {rows}; export the users "
            "again."
        )
    ragged = {row: found for row, found in raw.ragged.items() if row not in blank}
    kept = cells.loc[~cells.index.isin(blank), list(names)]
    kept.columns = [names[position] for position in names]
    table = kept[ordered(kept.columns)]

    return Users(
        table=table,
        source=str(path),
        format="csv",
        encoding=raw.encoding + ("-sig" if raw.bom else ""),
        rows_read=len(cells),
        dropped_blank=len(blank),
        notes=notes,
        ragged=ragged,
        header_width=len(raw.header),
    )


def _refuse_duplicate_headers(
    path: Path, header: Sequence[str], names: Mapping[int, str]
) -> None:
    by_name: dict[str, list[int]] = {}
    for position, name in names.items():
        by_name.setdefault(header_key(name), []).append(position)
    repeated = [positions for positions in by_name.values() if len(positions) > 1]
    if not repeated:
        return
    described = "; ".join(
        f"{names[positions[0]]} (columns "
        + ", ".join(f"{p + 1} '{header[p]}'" for p in positions)
        + ")"
        for positions in repeated
    )
    raise InputError(
        f"{path}: the header names the same attribute more than once: {described}; "
        "remove or rename the extra columns and run again."
    )


def _blank_rows(
    cells: pd.DataFrame, ragged: Mapping[int, tuple[int, list[str]]]
) -> set[int]:
    """Return the numbers of rows whose every cell is empty or white space."""
    if cells.empty:
        return set()
    candidates = cells.index[cells[cells.columns[0]].str.strip().eq("")]
    for column in cells.columns[1:]:
        if len(candidates) == 0:
            break
        values = cells.loc[candidates, column]
        candidates = values.index[values.str.strip().eq("")]
    return {
        int(row)
        for row in candidates
        if not any(value.strip() for value in ragged.get(int(row), (0, []))[1])
    }
