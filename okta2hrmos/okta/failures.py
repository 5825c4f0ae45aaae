"""Okta's error answers, told in one sentence that says what to do."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .connection import ORG_URL_ENV

SCOPES = {
    "users": "okta.users.read",
    "apps": "okta.apps.read",
    "groups": "okta.groups.read",
    "meta": "okta.schemas.read",
}

API_TOKEN_HELP = (
    "Okta API tokens lapse after 30 days without use; create a new one under "
    "Security > API > Tokens in the Admin Console"
)


@dataclass(frozen=True)
class Context:
    """What a message may name: the org, the credential, the search given."""

    org_url: str
    credential: str = "the credentials"
    token_env: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class OktaSaid:
    """The parts of an Okta error body that a person can act on."""

    code: str = ""
    summary: str = ""
    error_id: str = ""
    causes: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.code and not self.summary:
            return "no Okta error details"
        text = ": ".join(part for part in (self.code, self.summary) if part)
        if self.causes:
            text += f" ({'; '.join(self.causes)})"
        if self.error_id:
            text += f", errorId {self.error_id}"
        return text


def okta_said(response: httpx.Response) -> OktaSaid:
    """Read ``errorCode``, ``errorSummary``, ``errorId`` and causes, loosely."""
    try:
        body = response.json()
    except ValueError:
        return OktaSaid()
    if not isinstance(body, dict):
        return OktaSaid()
    causes = body.get("errorCauses") or []
    if isinstance(causes, dict):
        causes = [causes]
    summaries = tuple(
        str(cause.get("errorSummary"))
        for cause in causes
        if isinstance(cause, dict) and cause.get("errorSummary")
    )
    return OktaSaid(
        code=str(body.get("errorCode") or body.get("error") or ""),
        summary=str(body.get("errorSummary") or body.get("error_description") or ""),
        error_id=str(body.get("errorId") or ""),
        causes=summaries,
    )


def endpoint_of(method: str, url: str | httpx.URL) -> str:
    """Name an endpoint as ``GET /api/v1/users``, without the query."""
    return f"{method} {httpx.URL(url).path}"


def scope_for(url: str | httpx.URL) -> str:
    parts = [part for part in httpx.URL(url).path.split("/") if part]
    return SCOPES.get(parts[2] if len(parts) > 2 else "", "okta.users.read")


def describe_failure(
    response: httpx.Response, method: str, context: Context, tries: int = 1
) -> str:
    """Explain an error answer from Okta, with a fix where one is known."""
    said = okta_said(response)
    endpoint = endpoint_of(method, response.request.url)
    status = response.status_code
    after = f" after {tries} tries" if tries > 1 else ""

    if said.code == "E0000011" or (status == 401 and context.token_env):
        where = f" in {context.token_env}" if context.token_env else ""
        return (
            f"Okta rejected the API token{where} ({said}): it is wrong, revoked or "
            f"expired. {API_TOKEN_HELP} and put it in "
            f"{context.token_env or 'the token variable'}."
        )
    if status == 401:
        return (
            f"Okta rejected {context.credential} for {endpoint} ({said}); check the "
            "service app's client ID, key and DPoP setting in the Admin Console."
        )
    if said.code == "E0000006" or status == 403:
        scope = _scope_named(response) or scope_for(response.request.url)
        return (
            f"Okta refused {endpoint} ({said}): {context.credential} lacks "
            f"permission. A service app needs the scope {scope} granted and an "
            "admin role assigned; an API token has its admin's rights, so that "
            "admin needs a role that can read users (e.g. Read-only Administrator)."
        )
    if said.code == "E0000031":
        search = f" {context.search!r}" if context.search else ""
        return (
            f"Okta rejected the search expression{search} ({said}); check its "
            'syntax, for example profile.department eq "Sales": attribute names '
            "are case-sensitive and values take double quotes."
        )
    if said.code == "E0000030":
        return (
            f"Okta rejected a date in the query ({said}); give --since as "
            "2024-04-01 or 2024-04-01T09:00:00Z."
        )
    if status == 404:
        return _not_found(response, endpoint, said, context)
    if status == 429:
        return (
            f"Okta kept refusing {endpoint} for its rate limit ({said}){after}; "
            "other integrations may be using the org's quota: try again later, or "
            "raise this token's or app's share of the rate limit in the Admin "
            "Console."
        )
    if status >= 500:
        return (
            f"Okta kept failing {endpoint} with HTTP {status} ({said}){after}; try "
            "again later, and if it persists give Okta support the errorId."
        )
    return f"Okta answered HTTP {status} to {endpoint} ({said})."


def describe_unreachable(
    error: httpx.TransportError, method: str, url: str, context: Context, tries: int
) -> str:
    """Explain a request that got no answer at all."""
    endpoint = endpoint_of(method, url)
    if isinstance(error, httpx.TimeoutException):
        what = "it timed out"
    elif "CERTIFICATE_VERIFY_FAILED" in str(error):
        return (
            f"The TLS certificate of {context.org_url} could not be verified; if "
            "your network inspects TLS, point SSL_CERT_FILE at your company's CA "
            "bundle, otherwise check the org URL."
        )
    else:
        what = f"{type(error).__name__}"
    after = f" after {tries} tries" if tries > 1 else ""
    return (
        f"Could not reach {context.org_url} for {endpoint} ({what}){after}; check "
        f"the org URL (--org-url or {ORG_URL_ENV}), the network and any proxy."
    )


def _not_found(
    response: httpx.Response, endpoint: str, said: OktaSaid, context: Context
) -> str:
    parts = [part for part in response.request.url.path.split("/") if part]
    if len(parts) > 3 and parts[2] == "apps":
        return (
            f"Okta has no app with the ID {parts[3]} ({said}); copy the ID from the "
            "app's address in the Admin Console (it starts with 0oa)."
        )
    if len(parts) > 3 and parts[2] == "groups":
        return (
            f"Okta has no group with the ID {parts[3]} ({said}); copy the ID from "
            "the group's address in the Admin Console (it starts with 00g)."
        )
    return (
        f"{context.org_url} answered 404 to {endpoint}: it is not an Okta org's "
        f"address; check --org-url or {ORG_URL_ENV} (it looks like "
        "https://yourcompany.okta.com)."
    )


def _scope_named(response: httpx.Response) -> str | None:
    challenge = response.headers.get("WWW-Authenticate", "")
    marker = 'scope="'
    if "insufficient_scope" in challenge and marker in challenge:
        return challenge.split(marker, 1)[1].split('"', 1)[0] or None
    return None
