"""Choosing the users to export and building the users table from Okta's pages.

By default every user in every status: a plain list leaves DEPROVISIONED
users out, so a second pass asks for them by filter, and a user seen twice
(deprovisioned between the passes) is kept once. ``q`` is never used: it
skips DEPROVISIONED users and does not page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..csvio import TEXT
from ..errors import ConfigError, OktaError
from ..users import TOP_LEVEL, Users, flatten, okta_user, ordered
from .client import OktaClient

STATUSES = (
    "ACTIVE",
    "PROVISIONED",
    "STAGED",
    "RECOVERY",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "SUSPENDED",
    "DEPROVISIONED",
)

SCHEMA_PATH = "/api/v1/meta/schemas/user/default"

# Okta object IDs are letters and digits; anything else would change the path.
OKTA_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")

OnPage = Callable[[int, int], None]


@dataclass(frozen=True)
class Selection:
    """Which users to export."""

    statuses: tuple[str, ...] = ()
    app: str | None = None
    group: str | None = None
    search: str | None = None
    since: str | None = None

    @property
    def scopes(self) -> list[str]:
        """The OAuth scopes this selection needs, besides the schema's."""
        scopes = ["okta.users.read"]
        if self.app:
            scopes.append("okta.apps.read")
        if self.group:
            scopes.append("okta.groups.read")
        return scopes


@dataclass(frozen=True)
class Query:
    """One list request: a path and its parameters."""

    path: str
    params: dict[str, str] = field(default_factory=dict)


def selection_from_options(
    statuses: Iterable[str],
    app: str | None,
    group: str | None,
    search: str | None,
    since: str | None,
) -> Selection:
    """Check the selection options and normalise them."""
    if app and group:
        raise ConfigError(
            "Give either --app or --group, not both; export each and combine them "
            "if you need both."
        )
    if search and (app or group):
        raise ConfigError(
            "--search works on the whole directory only; Okta cannot search an "
            "app's or a group's users. Use --status and --since with --app or "
            "--group."
        )
    for option, value in (("--app", app), ("--group", group)):
        if value is not None and not OKTA_ID.match(value):
            raise ConfigError(
                f"{option} {value!r} is not an Okta ID; copy the ID (letters and "
                "digits, like 0oa1bcdEFGH2ijk3l4m5) from the Admin Console."
            )
    if search is not None and not search.strip():
        raise ConfigError("--search is empty; give an Okta search expression.")
    return Selection(
        statuses=_statuses(statuses),
        app=app,
        group=group,
        search=search.strip() if search else None,
        since=okta_timestamp(since) if since else None,
    )


def okta_timestamp(value: str) -> str:
    """Turn a date or date-time into Okta's UTC form, 2024-04-01T00:00:00.000Z."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--since {value!r} is not a date; give it as 2024-04-01 or "
            "2024-04-01T09:00:00+09:00 (no offset means UTC)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ConfigError(
            f"--since {value!r} is outside the dates Okta keeps; give a date "
            "between 1970 and today."
        ) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def queries(selection: Selection) -> list[Query]:
    """The list requests that together return exactly the selected users."""
    if selection.app:
        return [Query(f"/api/v1/apps/{selection.app}/users", {"expand": "user"})]
    if selection.group:
        return [Query(f"/api/v1/groups/{selection.group}/users")]

    status = " or ".join(f'status eq "{s}"' for s in selection.statuses)
    since = f'lastUpdated ge "{selection.since}"' if selection.since else ""
    if selection.search:
        parts = [selection.search, status, since]
        expression = " and ".join(f"({part})" for part in parts if part)
        return [Query("/api/v1/users", {"search": expression})]
    if status or since:
        if status and since:
            expression = f"{since} and ({status})"
        else:
            expression = status or since
        return [Query("/api/v1/users", {"filter": expression})]
    return [
        Query("/api/v1/users"),
        Query("/api/v1/users", {"filter": 'status eq "DEPROVISIONED"'}),
    ]


@dataclass
class Export:
    """The users read, with what the export found out on the way."""

    users: Users
    counts: Counter[str]
    notes: list[str]


def export_users(
    client: OktaClient, selection: Selection, on_page: OnPage | None = None
) -> Export:
    """Read the selected users page by page into the users table."""
    notes: list[str] = []
    attributes = read_schema(client, notes)

    builder = TableBuilder()
    seen_ids: set[str] = set()
    counts: Counter[str] = Counter()
    repeated = skipped = 0
    for query in queries(selection):
        for page in client.pages(query.path, query.params):
            rows = []
            for record in page:
                user = _okta_user(record, query)
                user_id = str(user.get("id") or "")
                if user_id and user_id in seen_ids:
                    repeated += 1
                    continue
                if not _selected(user, selection):
                    skipped += 1
                    continue
                seen_ids.add(user_id)
                row = _flatten(record, user_id)
                rows.append(row)
                counts[row.get("status", "")] += 1
            builder.add(rows)
            if on_page is not None:
                on_page(builder.rows, client.stats.pages)

    seen_keys = dict.fromkeys([*TOP_LEVEL, *builder.names])
    if attributes is None:
        columns = ordered(seen_keys)
    else:
        columns = ordered([*TOP_LEVEL, *attributes, *seen_keys])
        extra = sorted(set(seen_keys) - set(TOP_LEVEL) - set(attributes))
        if extra:
            notes.append(
                "Attributes outside the org's user schema were seen and kept: "
                f"{', '.join(extra)}."
            )
    if repeated:
        notes.append(
            f"{repeated} users came back twice (their status changed during the "
            "export) and were kept once."
        )
    if skipped:
        notes.append(
            f"{skipped} users did not match --status or --since and were left out."
        )

    table = builder.table(columns, first_row=1)
    users = Users(
        table=table,
        source=client.org.url,
        format="okta-api",
        encoding="utf-8",
        rows_read=len(table),
        notes=notes,
    )
    return Export(users=users, counts=counts, notes=notes)


def read_schema(client: OktaClient, notes: list[str]) -> list[str] | None:
    """Return the profile attributes of the default user type, if readable."""
    response = client.get(SCHEMA_PATH)
    if response.status_code in (401, 403, 404) and not _bad_token(response, client):
        notes.append(
            "The credentials may not read the user schema (it needs a super admin's "
            "token or the okta.schemas.read scope), so the columns are the "
            "attributes found in the users' data: an attribute no one has a value "
            "for is missing."
        )
        return None
    if response.status_code != 200:
        raise client.failure(response, "GET")
    try:
        definitions = response.json()["definitions"]
        names: list[str] = []
        for part in ("base", "custom"):
            names.extend((definitions.get(part) or {}).get("properties") or {})
    except (ValueError, KeyError, TypeError, AttributeError):
        notes.append(
            "Okta's user schema could not be read; the columns are the attributes "
            "found in the users' data."
        )
        return None
    return names


class TableBuilder:
    """Collects flattened users page by page as Arrow text columns.

    A page's JSON and its Python strings are freed once the page is added,
    so memory grows with the table's text, not with Okta's JSON. Pages are
    joined in slabs as they come, so the table has few chunks and building
    it at the end copies nothing.
    """

    SLAB = 50

    def __init__(self) -> None:
        self.rows = 0
        self._slabs: dict[str, list[pa.Array]] = {}
        self._pages: dict[str, list[pa.Array]] = {}

    @property
    def names(self) -> list[str]:
        return list(self._pages)

    def add(self, rows: list[dict[str, str]]) -> None:
        if not rows:
            return
        names: dict[str, None] = {}
        for row in rows:
            names.update(dict.fromkeys(row))
        schema = pa.schema([(name, pa.large_string()) for name in names])
        page = pa.Table.from_pylist(rows, schema=schema)
        for name in names:
            if name not in self._pages:
                self._slabs[name] = [_empty(self.rows)] if self.rows else []
                self._pages[name] = []
        for name, pages in self._pages.items():
            if name in names:
                column = pc.fill_null(page.column(name), "")
                pages.append(column.combine_chunks())
            else:
                pages.append(_empty(len(rows)))
            if len(pages) >= self.SLAB:
                self._slabs[name].append(pa.concat_arrays(pages))
                pages.clear()
        self.rows += len(rows)

    def table(self, columns: list[str], first_row: int = 1) -> pd.DataFrame:
        """Hand over the users table with these columns; the builder is emptied."""
        data = {}
        for name in columns:
            chunks = self._slabs.get(name, []) + self._pages.get(name, [])
            values = pa.chunked_array(chunks or [_empty(self.rows)], pa.large_string())
            data[name] = pd.array(values, dtype=TEXT)
        self._slabs, self._pages = {}, {}
        index = pd.RangeIndex(first_row, first_row + self.rows, name="row")
        return pd.DataFrame(data, index=index, columns=list(columns), copy=False)


def _empty(count: int) -> pa.Array:
    return pa.array([""] * count, pa.large_string())


def status_summary(counts: Counter[str]) -> str:
    """Say how many users each status has, in Okta's lifecycle order."""
    order = [s for s in STATUSES if counts.get(s)]
    order += sorted(s for s in counts if s not in STATUSES and counts[s])
    return ", ".join(f"{counts[s]:,} {s or '(no status)'}" for s in order)


def _statuses(values: Iterable[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for value in values:
        for name in value.replace(",", " ").split():
            status = name.strip().upper()
            if status not in STATUSES:
                raise ConfigError(
                    f"--status {name!r} is not an Okta user status; use one of "
                    f"{', '.join(STATUSES)}."
                )
            if status not in chosen:
                chosen.append(status)
    return tuple(chosen)


def _bad_token(response: Any, client: OktaClient) -> bool:
    """A 401 that means the credentials are wrong, not merely limited."""
    if response.status_code != 401:
        return False
    try:
        code = response.json().get("errorCode")
    except (ValueError, AttributeError):
        code = None
    return code == "E0000011" or client.context.token_env is not None


def _okta_user(record: dict[str, Any], query: Query) -> Mapping[str, Any]:
    user = okta_user(record)
    if query.path.startswith("/api/v1/apps/") and user is record:
        raise OktaError(
            f"Okta listed the app's users without their Okta profiles ({query.path}"
            "?expand=user was not honoured); try again, or export the app's users "
            "through a group instead."
        )
    return user


def _selected(user: Mapping[str, Any], selection: Selection) -> bool:
    """Apply --status and --since to lists Okta cannot filter (app, group)."""
    if not (selection.app or selection.group):
        return True
    if selection.statuses and user.get("status") not in selection.statuses:
        return False
    if selection.since:
        updated = str(user.get("lastUpdated") or "")
        return _instant(updated) >= _instant(selection.since)
    return True


def _instant(timestamp: str) -> datetime:
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _flatten(record: dict[str, Any], user_id: str) -> dict[str, str]:
    try:
        return flatten(record)
    except ValueError as error:
        raise OktaError(
            f"Okta returned user {user_id or '(no id)'} in a shape okta2hrmos cannot "
            f"read ({error}); report it with this user's ID."
        ) from None
