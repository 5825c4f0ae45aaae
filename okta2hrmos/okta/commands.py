"""The ``okta2hrmos export`` command and the Okta options ``run`` shares."""

from __future__ import annotations

import csv
import os
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from ..csvio import check_output_path, write_csv
from ..errors import ConfigError, UserError
from ..users import Users
from .auth import (
    AUTH_MODE_ENV,
    CLIENT_ID_ENV,
    KEY_ID_ENV,
    PRIVATE_KEY_ENV,
    SCOPES_ENV,
    TOKEN_ENV,
    ApiToken,
    Credentials,
    ServiceApp,
    signing_key_from_file,
    signing_key_from_text,
)
from .client import OktaClient, Stats
from .connection import ORG_URL_ENV, TIMEOUT, Org, org_from_url
from .export import (
    Export,
    Selection,
    export_users,
    selection_from_options,
    status_summary,
)
from .failures import Context
from .limits import Clock
from .progress import Progress

# The clock every export waits with, the jitter added to waits after a 429
# and the time-outs of requests; tests swap in a clock that does not sleep,
# a fixed jitter and shorter time-outs.
CLOCK = Clock()
JITTER = random.random
TIMEOUTS = TIMEOUT

SCHEMA_SCOPE = "okta.schemas.read"
AUTH_MODES = ("SSWS", "PrivateKey", "JWT", "Bearer")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")

# The keyword arguments okta_options adds, which users_from_okta takes.
OKTA_OPTION_NAMES = (
    "org_url",
    "token_env",
    "client_id",
    "private_key_file",
    "key_id",
    "scopes",
    "auth_mode",
    "status",
    "app",
    "group",
    "search",
    "since",
    "quiet",
)

F = TypeVar("F", bound=Callable[..., Any])


def okta_options(command: F) -> F:
    """Add the options that say which org, which credentials and which users."""
    options = [
        click.option(
            "--org-url",
            envvar=ORG_URL_ENV,
            metavar="URL",
            help=f"The Okta org, like https://acme.okta.com [env: {ORG_URL_ENV}].",
        ),
        click.option(
            "--token-env",
            default=TOKEN_ENV,
            show_default=True,
            metavar="NAME",
            help="Environment variable that holds the API token. The token itself "
            "is never an option, so it stays out of shell history.",
        ),
        click.option(
            "--client-id",
            envvar=CLIENT_ID_ENV,
            metavar="ID",
            help="Client ID of an OAuth service app, used instead of an API token "
            f"[env: {CLIENT_ID_ENV}]. Its private key comes from "
            f"{PRIVATE_KEY_ENV} (PEM or JWK) or --private-key-file.",
        ),
        click.option(
            "--private-key-file",
            type=click.Path(path_type=Path, dir_okay=False),
            metavar="PATH",
            help="The service app's private key, as a PEM or JWK file.",
        ),
        click.option(
            "--key-id",
            envvar=KEY_ID_ENV,
            metavar="KID",
            help=f"Key ID of that key, if the app has several [env: {KEY_ID_ENV}].",
        ),
        click.option(
            "--scopes",
            envvar=SCOPES_ENV,
            metavar="SCOPES",
            help="OAuth scopes to ask for, comma-separated [default: "
            "okta.users.read and okta.schemas.read, plus okta.apps.read with "
            f"--app, okta.groups.read with --group; env: {SCOPES_ENV}].",
        ),
        click.option(
            "--auth-mode",
            envvar=AUTH_MODE_ENV,
            type=click.Choice(AUTH_MODES, case_sensitive=False),
            help="SSWS (API token), PrivateKey (service app) or Bearer (an access "
            "token in the token variable) [default: service app when a client ID "
            f"is set, else API token; env: {AUTH_MODE_ENV}].",
        ),
        click.option(
            "--status",
            multiple=True,
            metavar="STATUS",
            help="Only users in this status (repeat, or separate by commas) "
            "[default: every status, DEPROVISIONED included].",
        ),
        click.option(
            "--app", metavar="APP_ID", help="Only the users assigned to this app."
        ),
        click.option(
            "--group", metavar="GROUP_ID", help="Only the members of this group."
        ),
        click.option(
            "--search",
            metavar="EXPR",
            help="An Okta search expression, like 'profile.department eq \"Sales\"'.",
        ),
        click.option(
            "--since",
            metavar="TIMESTAMP",
            help="Only users updated at or after this date or time (ISO 8601; UTC "
            "unless it has an offset).",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print only errors and the summary line; no progress bar.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def users_from_okta(
    org_url: str | None,
    token_env: str = TOKEN_ENV,
    client_id: str | None = None,
    private_key_file: Path | None = None,
    key_id: str | None = None,
    scopes: str | None = None,
    auth_mode: str | None = None,
    status: tuple[str, ...] = (),
    app: str | None = None,
    group: str | None = None,
    search: str | None = None,
    since: str | None = None,
    quiet: bool = False,
) -> Users:
    """Read users from Okta into the users table, as the file readers do.

    Progress goes to stderr unless ``quiet``; what the export found out, and a
    line with the count per status, are in the returned ``notes``.
    """
    export, stats, org = _export(
        org_url, token_env, client_id, private_key_file, key_id, scopes,
        auth_mode, status, app, group, search, since, quiet,
    )  # fmt: skip
    users = export.users
    users.notes = [*users.notes, _summary(export, stats, org)]
    return users


@click.command("export")
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="The CSV file to write (- for stdout). It appears only once the export "
    "is complete.",
)
@click.option(
    "--bom/--no-bom",
    default=True,
    show_default=True,
    help="Start the file with a UTF-8 byte order mark, so Excel shows Japanese "
    "names correctly.",
)
@okta_options
def export_command(output_path: Path, bom: bool, **options: Any) -> None:
    """Export users from the Okta API to a CSV file of the users table.

    Columns are the users' top-level fields, then the profile attributes under
    their Okta API names in the order of Okta's CSV import template, then
    custom attributes; arrays are joined by ";". Every status is exported,
    DEPROVISIONED included, unless --status, --app, --group, --search or
    --since narrow it.

    Credentials come from the environment: an API token in OKTA_CLIENT_TOKEN
    (or the variable --token-env names), or a service app's client ID and
    private key (OKTA_CLIENT_CLIENTID, OKTA_CLIENT_PRIVATEKEY). Exits 0 when
    done, 2 on a configuration error and 3 when Okta or the network failed.

    \b
    Examples:
      export OKTA_CLIENT_ORGURL=https://acme.okta.com
      export OKTA_CLIENT_TOKEN=...            # or a service app, see above
      okta2hrmos export -o users.csv
      okta2hrmos export -o leavers.csv --status DEPROVISIONED --since 2024-04-01
      okta2hrmos export -o hrmos-app.csv --app 0oa1bcdEFGH2ijk3l4m5
    """
    try:
        if str(output_path) != "-":
            check_output_path(output_path)
        export, stats, org = _export(**options)
        users = export.users
        header = [list(users.table.columns)]
        rows = table_rows(users.table)
        if str(output_path) == "-":
            try:
                write_csv_stream(header, rows)
            except BrokenPipeError:
                # The reader closed the pipe (`| head`): stop quietly, as Unix
                # tools do when SIGPIPE ends them.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                sys.exit(141)
        else:
            write_csv(output_path, header, rows, bom=bom)
    except UserError as error:
        click.secho(f"Error: {error}", fg="red", err=True)
        sys.exit(error.exit_code)

    if not options["quiet"]:
        for note in export.users.notes:
            click.echo(note, err=True)
    where = "stdout" if str(output_path) == "-" else str(output_path)
    click.echo(f"{_summary(export, stats, org)}; wrote {where}.", err=True)


def table_rows(table: pd.DataFrame, batch: int = 10_000) -> Iterator[tuple[str, ...]]:
    """Yield the table's rows as tuples of text, a batch of columns at a time."""
    for start in range(0, len(table), batch):
        part = table.iloc[start : start + batch]
        yield from zip(*(part[name].tolist() for name in part.columns), strict=True)


def write_csv_stream(header: list[list[str]], rows: Any) -> None:
    """Write the CSV to stdout, for piping."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerows(header)
    writer.writerows(rows)


def _export(
    org_url: str | None,
    token_env: str,
    client_id: str | None,
    private_key_file: Path | None,
    key_id: str | None,
    scopes: str | None,
    auth_mode: str | None,
    status: tuple[str, ...],
    app: str | None,
    group: str | None,
    search: str | None,
    since: str | None,
    quiet: bool,
) -> tuple[Export, Stats, Org]:
    org = org_from_url(org_url)
    selection = selection_from_options(status, app, group, search, since)
    credentials, context = credentials_from_environment(
        org, selection, token_env, client_id, private_key_file, key_id, scopes,
        auth_mode,
    )  # fmt: skip

    progress = Progress(enabled=not quiet)
    with OktaClient(
        org,
        credentials,
        context=context,
        clock=CLOCK,
        jitter=JITTER,
        timeout=TIMEOUTS,
        on_wait=progress.wait,
    ) as client:
        try:
            export = export_users(client, selection, on_page=progress.page)
        finally:
            progress.close()

    notes = [*org.notes, *getattr(credentials, "notes", []), *export.notes]
    export.users.notes = notes
    return export, client.stats, org


def credentials_from_environment(
    org: Org,
    selection: Selection,
    token_env: str,
    client_id: str | None,
    private_key_file: Path | None,
    key_id: str | None,
    scopes: str | None,
    auth_mode: str | None,
) -> tuple[Credentials, Context]:
    """Choose the credentials: an API token, or a service app and its key."""
    mode = (auth_mode or "").lower()
    if mode in ("privatekey", "jwt") or (not mode and client_id):
        credentials = _service_app(
            org, selection, client_id, private_key_file, key_id, scopes
        )
        context = Context(
            org.url, credential=credentials.description, search=selection.search
        )
        return credentials, context

    token = _token(token_env)
    scheme = "Bearer" if mode == "bearer" else "SSWS"
    credentials = ApiToken(token, token_env, scheme)
    context = Context(
        org.url,
        credential=credentials.description,
        token_env=token_env if scheme == "SSWS" else None,
        search=selection.search,
    )
    return credentials, context


def _token(token_env: str) -> str:
    if not ENV_NAME.match(token_env):
        # Never echo the value: it may be the token itself, given by mistake.
        raise ConfigError(
            "--token-env takes the name of an environment variable (like "
            f"{TOKEN_ENV}), not the token; put the token in that variable."
        )
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise ConfigError(
            f"No Okta credentials: set {token_env} to an API token (Admin Console "
            "> Security > API > Tokens), or set OKTA_CLIENT_CLIENTID and "
            f"{PRIVATE_KEY_ENV} for a service app."
        )
    return token


def _service_app(
    org: Org,
    selection: Selection,
    client_id: str | None,
    private_key_file: Path | None,
    key_id: str | None,
    scopes: str | None,
) -> ServiceApp:
    if not client_id:
        raise ConfigError(
            f"A service app needs its client ID: set {CLIENT_ID_ENV} or pass "
            "--client-id."
        )
    if private_key_file is not None:
        key = signing_key_from_file(private_key_file, key_id)
    else:
        text = os.environ.get(PRIVATE_KEY_ENV, "")
        if not text.strip():
            raise ConfigError(
                f"The service app {client_id} needs its private key: set "
                f"{PRIVATE_KEY_ENV} to the key (PEM or JWK) or pass "
                "--private-key-file."
            )
        if "\\n" in text and "\n" not in text.strip():
            text = text.replace("\\n", "\n")
        key = signing_key_from_text(text, PRIVATE_KEY_ENV, key_id)

    if scopes:
        asked = [s for s in re.split(r"[,\s]+", scopes) if s]
        optional: list[str] = []
    else:
        asked = [*selection.scopes, SCHEMA_SCOPE]
        optional = [SCHEMA_SCOPE]
    return ServiceApp(org.url, client_id, key, asked, optional, clock=CLOCK.now)


def _summary(export: Export, stats: Stats, org: Org) -> str:
    count = export.users.rows_read
    statuses = status_summary(export.counts)
    text = f"Read {count:,} users from {org.url}"
    if statuses:
        text += f" ({statuses})"
    text += f" in {stats.pages:,} pages"
    if stats.waits:
        text += f", waiting {stats.waited:.0f} s in all"
    if stats.throttled:
        plural = "s" if stats.throttled > 1 else ""
        text += f" after {stats.throttled} rate-limit refusal{plural}"
    return text
