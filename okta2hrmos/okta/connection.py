"""Where the Okta org is and how requests reach it."""

from __future__ import annotations

import ipaddress
import platform
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..errors import ConfigError

ORG_URL_ENV = "OKTA_CLIENT_ORGURL"

# Okta's own domains; a first label ending in "-admin" there is the Admin
# Console, whose host does not serve the management API.
OKTA_DOMAINS = (
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
)

# Okta answers a 200-user page in well under a second; a minute without a
# byte means the connection is dead, not slow.
TIMEOUT = httpx.Timeout(60.0, connect=15.0)

USER_AGENT = (
    f"okta2hrmos/{__version__} httpx/{httpx.__version__} "
    f"python/{platform.python_version()}"
)


@dataclass(frozen=True)
class Org:
    """An Okta org's API address, with what was changed to get it."""

    url: str
    notes: list[str] = field(default_factory=list, compare=False)

    @property
    def origin(self) -> tuple[str, str, int]:
        return origin_of(self.url)


def org_from_url(value: str | None) -> Org:
    """Check an org URL and return the address of its management API.

    Only https is accepted, except plain http to a loopback address (a local
    test server). The Admin Console host (``acme-admin.okta.com``) is replaced
    by the org's API host, and any path is dropped, each with a note.
    """
    if value is None or not value.strip():
        raise ConfigError(
            "No Okta org URL: pass --org-url https://yourcompany.okta.com or set "
            f"{ORG_URL_ENV}."
        )
    text = value.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigError(
            "The Okta org URL is not a valid URL; give it as "
            "https://yourcompany.okta.com."
        ) from None
    host = (parts.hostname or "").lower()
    if not host:
        raise ConfigError(
            "The Okta org URL has no host name; give it as "
            "https://yourcompany.okta.com."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"The Okta org URL for {host} contains a user name or password; give "
            "only https://host, and the credentials through the environment."
        )

    scheme = parts.scheme.lower()
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"The Okta org URL http://{host} is not encrypted; use https://{host} "
            "(plain http is accepted only for a test server on this machine)."
        )
    if scheme not in ("http", "https"):
        raise ConfigError(
            f"The Okta org URL must start with https://, not {parts.scheme}://."
        )

    notes: list[str] = []
    api_host = _api_host(host)
    netloc = f"[{api_host}]" if ":" in api_host else api_host
    if port is not None:
        netloc = f"{netloc}:{port}"
    url = f"{scheme}://{netloc}"
    if api_host != host:
        notes.append(
            f"{scheme}://{host} is the Okta Admin Console; using the org's API "
            f"address {url} instead."
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        notes.append(
            f"Using the org URL {url}; the rest of the address given "
            "(path, query) is not part of it."
        )
    return Org(url=url, notes=notes)


def is_loopback(host: str) -> bool:
    """Tell whether a host name or address is this machine."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str | httpx.URL) -> tuple[str, str, int]:
    """Return (scheme, host, port) of a URL, with the default port filled in."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host.lower(), port


def _api_host(host: str) -> str:
    first, _, rest = host.partition(".")
    if first.endswith("-admin") and rest in OKTA_DOMAINS and len(first) > 6:
        return f"{first[: -len('-admin')]}.{rest}"
    return host
