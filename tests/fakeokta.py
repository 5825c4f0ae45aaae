"""A fake Okta org: a real HTTP server on 127.0.0.1 for the tests and the benchmark.

It speaks the parts of Okta's management API that an export uses, the way
Okta does: opaque cursors in ``next`` links sent as separate ``link``
headers, DEPROVISIONED users only under ``filter`` or ``search``,
``X-Rate-Limit-*`` and ``Date`` headers on every answer and a 429 once the
window's limit is used, Okta's error bodies, app users with ``expand=user``,
group members, the user schema (403 for a limited admin), and the org
authorization server's token endpoint with ``private_key_jwt`` and the DPoP
nonce exchange. Faults (a 429, a 500, a slow answer) can be scripted.

Run as a script it serves generated users until stopped, for the benchmark:
``python tests/fakeokta.py --users 100000 --latency 0.1 --rate-limit 300``.
"""

from __future__ import annotations

import argparse
import base64
import copy
import email.utils
import hashlib
import json
import math
import re
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

EXAMPLES = Path(__file__).parent / "fixtures" / "okta-openapi"

BASE_ATTRIBUTES = [
    "login", "firstName", "lastName", "middleName", "honorificPrefix",
    "honorificSuffix", "email", "title", "displayName", "nickName", "profileUrl",
    "secondEmail", "mobilePhone", "primaryPhone", "streetAddress", "city", "state",
    "zipCode", "countryCode", "postalAddress", "preferredLanguage", "locale",
    "timezone", "userType", "employeeNumber", "costCenter", "organization",
    "division", "department", "managerId", "manager",
]  # fmt: skip

FILTER_ATTRIBUTES = {
    "status", "lastUpdated", "id", "profile.login", "profile.email",
    "profile.firstName", "profile.lastName",
}  # fmt: skip

# The API token the fake org accepts unless told otherwise.
TOKEN = "00fakeTokenValue_ABCdef123-XYZ"

SCOPE_FOR = {
    "users": "okta.users.read",
    "apps": "okta.apps.read",
    "groups": "okta.groups.read",
    "meta": "okta.schemas.read",
}


def example(name: str) -> Any:
    """One of Okta's example bodies, as published in its OpenAPI description."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def make_user(number: int, status: str = "ACTIVE", **profile: Any) -> dict[str, Any]:
    """An Okta user shaped like Okta's ListUsersResponse example."""
    user = copy.deepcopy(example("ListUsersResponse")[0])
    user["id"] = f"00u{number:017d}"
    user["status"] = status
    day = 1 + number % 28
    user["lastUpdated"] = f"2024-03-{day:02d}T09:00:00.000Z"
    user["profile"] = {
        "firstName": f"First{number}",
        "lastName": f"Last{number}",
        "mobilePhone": None,
        "secondEmail": None,
        "login": f"user{number}@example.com",
        "email": f"user{number}@example.com",
        "employeeNumber": f"{number:06d}",
        **profile,
    }
    user["_links"] = {
        "self": {"href": f"https://example.okta.com/api/v1/users/{user['id']}"}
    }
    return user


@dataclass
class Fault:
    """A scripted misbehaviour of one path.

    It applies to the ``nth`` request to ``path`` (1-based), or to every
    request from then on while ``times`` lasts (None: forever).
    """

    path: str
    status: int = 500
    nth: int | None = None
    times: int | None = 1
    reset_in: float | None = None
    concurrency: bool = False
    delay: float = 0.0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ServiceApp:
    """An OAuth service app registered in the fake org."""

    client_id: str
    public_key: Any
    scopes: set[str] = field(
        default_factory=lambda: {"okta.users.read", "okta.schemas.read"}
    )
    require_dpop: bool = True
    api_nonce: bool = False
    lifetime: int = 3600


@dataclass
class Seen:
    """One request as the fake org received it."""

    method: str
    path: str
    target: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


@dataclass
class Issued:
    token: str
    scopes: set[str]
    jkt: str | None
    expires: float


class FakeOkta:
    """The fake org's state; ``start()`` serves it on 127.0.0.1."""

    def __init__(
        self,
        users: list[dict[str, Any]] | None = None,
        *,
        token: str = TOKEN,
        page_limit: int = 200,
        rate_limit: int = 600,
        window: float = 60.0,
        latency: float = 0.0,
        custom_attributes: dict[str, str] | None = None,
        limited_admin: bool = False,
        apps: dict[str, list[str]] | None = None,
        groups: dict[str, list[str]] | None = None,
        service_app: ServiceApp | None = None,
        next_origin: str | None = None,
        repeat_next: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tokens = {token}
        self.page_limit = page_limit
        self.rate_limit = rate_limit
        self.window = window
        self.latency = latency
        self.custom_attributes = custom_attributes or {}
        self.limited_admin = limited_admin
        self.apps = apps or {}
        self.groups = groups or {}
        self.service_app = service_app
        self.next_origin = next_origin
        self.repeat_next = repeat_next
        # The clock of Date, X-Rate-Limit-Reset and the rate windows; a test
        # shares one with the client so that waiting takes no real time.
        self.clock = clock
        self.links: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.counts: Counter[str] = Counter()
        self.refused = 0
        self.lowest_remaining: dict[str, int] = {}
        self.issued: dict[str, Issued] = {}
        self.nonce = secrets.token_urlsafe(16)
        self._lock = threading.Lock()
        self._cursors: dict[str, int] = {}
        self._windows: dict[str, tuple[float, int]] = {}
        self._jtis: set[str] = set()
        self._matches: dict[tuple[str, str, str], list[int]] = {}
        self._server: ThreadingHTTPServer | None = None
        self.set_users(users or [])

    # The tests' side --------------------------------------------------------

    def set_users(self, users: list[dict[str, Any]]) -> None:
        self.users = users
        self._by_id = {user["id"]: index for index, user in enumerate(users)}
        self._encoded = [json.dumps(user).encode("utf-8") for user in users]
        self._matches.clear()

    def fault(self, path: str, status: int = 500, **options: Any) -> Fault:
        fault = Fault(path=path, status=status, **options)
        self.faults.append(fault)
        return fault

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake org is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOkta:
        handler = type("Handler", (_Handler,), {"okta": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOkta:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def reset_windows(self) -> None:
        with self._lock:
            self._windows.clear()
            self.lowest_remaining.clear()
            self.refused = 0
            self.counts.clear()

    # The server's side ------------------------------------------------------

    def answer(self, request: _Handler) -> Reply:
        now = request.now
        parts = urlsplit(request.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode("utf-8") if length else ""
        with self._lock:
            self.requests.append(
                Seen(
                    request.command,
                    path,
                    request.path,
                    query,
                    dict(request.headers),
                    body,
                )
            )
            self.counts[path] += 1
            nth = self.counts[path]

        if path == "/__fake/stats":
            return Reply(200, {"refused": self.refused, "counts": dict(self.counts)})
        if path == "/__fake/reset":
            self.reset_windows()
            return Reply(200, {})

        fault = self._fault_for(path, nth)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if path == "/oauth2/v1/token" and request.command == "POST":
            return self._token(request, body, fault, now)
        if not path.startswith("/api/v1/"):
            return Reply(
                404,
                _error(
                    "E0000022", "The endpoint does not support the provided HTTP method"
                ),
            )

        bucket = path.split("/")[3]
        limit, remaining, reset = self._count(bucket, now)
        with self._lock:
            lowest = self.lowest_remaining.get(bucket, limit)
            self.lowest_remaining[bucket] = min(lowest, remaining)
        rate = {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(max(remaining, 0)),
            "X-Rate-Limit-Reset": str(reset),
        }
        if fault is not None and fault.status:
            return self._faulty(fault, rate, now)
        if remaining < 0:
            with self._lock:
                self.refused += 1
            return Reply(429, example("ErrorTooManyRequests"), rate)

        denied = self._authenticate(request, path, bucket)
        if denied is not None:
            denied.headers.update(rate)
            return denied
        if self.latency:
            time.sleep(self.latency)
        reply = self._route(path, query)
        reply.headers.update(rate)
        return reply

    def _fault_for(self, path: str, nth: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path != path:
                    continue
                if fault.nth is not None and nth < fault.nth:
                    continue
                if fault.times is not None and fault.times <= 0:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _faulty(self, fault: Fault, rate: dict[str, str], now: float) -> Reply:
        headers = dict(rate)
        if fault.status == 429:
            with self._lock:
                self.refused += 1
            reset_in = fault.reset_in if fault.reset_in is not None else 60
            headers["X-Rate-Limit-Remaining"] = "0"
            headers["X-Rate-Limit-Reset"] = str(int(now) + int(reset_in))
            if fault.concurrency:
                headers["X-Rate-Limit-Limit"] = "0"
            return Reply(429, fault.body or example("ErrorTooManyRequests"), headers)
        if fault.status >= 500:
            body = fault.body or _error("E0000009", "Internal Server Error")
            return Reply(fault.status, body, headers)
        headers.update(fault.headers)
        return Reply(fault.status, fault.body or {}, headers)

    def _count(self, bucket: str, now: float) -> tuple[int, int, int]:
        """Count a request against its bucket's window; remaining < 0 means refused."""
        with self._lock:
            reset, used = self._windows.get(bucket, (0, 0))
            if now >= reset:
                reset, used = math.ceil(now + self.window), 0
            used += 1
            self._windows[bucket] = (reset, used)
        return self.rate_limit, self.rate_limit - used, int(reset)

    def _authenticate(self, request: _Handler, path: str, bucket: str) -> Reply | None:
        authorization = request.headers.get("Authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if authorization.startswith("SSWS"):
            # Okta's official Python SDK 3.4 sends "SSWS<token>" with no space
            # on its generated list calls; accept it so the SDK can be measured.
            scheme, credential = "SSWS", authorization[4:].strip()
            if credential not in self.tokens:
                return Reply(401, example("ErrorInvalidTokenProvided"))
            if self.limited_admin and bucket == "meta":
                return Reply(403, example("ErrorAccessDenied"))
            return None
        if scheme in ("Bearer", "DPoP"):
            return self._check_access_token(request, scheme, credential, path, bucket)
        return Reply(401, _error("E0000005", "Invalid session"))

    def _check_access_token(
        self, request: _Handler, scheme: str, token: str, path: str, bucket: str
    ) -> Reply | None:
        issued = self.issued.get(token)
        if issued is None or time.time() >= issued.expires:
            return Reply(
                401,
                _error("E0000011", "Invalid token provided"),
                {"WWW-Authenticate": f'{scheme} error="invalid_token"'},
            )
        if (issued.jkt is None) != (scheme == "Bearer"):
            return Reply(
                401,
                _error("E0000011", "Invalid token provided"),
                {"WWW-Authenticate": f'{scheme} error="invalid_token"'},
            )
        if issued.jkt is not None:
            problem = self._check_proof(
                request.headers.get("DPoP"),
                request.command,
                f"{self.url}{path}",
                token=token,
                nonce=self.nonce
                if self.service_app and self.service_app.api_nonce
                else None,
            )
            if problem == "use_dpop_nonce":
                return Reply(
                    401,
                    {},
                    {
                        "WWW-Authenticate": 'DPoP error="use_dpop_nonce"',
                        "DPoP-Nonce": self.nonce,
                    },
                )
            if problem is not None:
                return Reply(
                    401,
                    {},
                    {
                        "WWW-Authenticate": 'DPoP error="invalid_dpop_proof", '
                        f'error_description="{problem}"'
                    },
                )
        scope = SCOPE_FOR.get(bucket, "okta.users.read")
        if scope not in issued.scopes:
            return Reply(
                403,
                example("ErrorAccessDenied"),
                {
                    "WWW-Authenticate": f'{scheme} error="insufficient_scope", scope="{scope}"'
                },
            )
        return None

    def _token(
        self, request: _Handler, body: str, fault: Fault | None, now: float
    ) -> Reply:
        if fault is not None and fault.status:
            return self._faulty(fault, {}, now)
        app = self.service_app
        form = {key: values[0] for key, values in parse_qs(body).items()}
        token_url = f"{self.url}/oauth2/v1/token"
        if app is None:
            return _oauth(401, "invalid_client", "No such client.")
        if form.get("grant_type") != "client_credentials":
            return _oauth(400, "unsupported_grant_type", "Only client_credentials.")
        try:
            claims = jwt.decode(
                form.get("client_assertion", ""),
                app.public_key,
                algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
                audience=token_url,
                options={"require": ["iss", "sub", "aud", "exp", "jti"]},
            )
        except jwt.PyJWTError as error:
            return _oauth(401, "invalid_client", f"Client assertion invalid: {error}.")
        if claims["iss"] != app.client_id or claims["sub"] != app.client_id:
            return _oauth(401, "invalid_client", "The client_id is wrong.")
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return _oauth(400, "invalid_request", "Wrong client_assertion_type.")
        asked = set(form.get("scope", "").split())
        if not asked or not asked <= app.scopes:
            refused = " ".join(sorted(asked - app.scopes))
            return _oauth(
                400, "invalid_scope", f"The following scopes are not allowed: {refused}"
            )

        proof = request.headers.get("DPoP")
        jkt = None
        if app.require_dpop or proof:
            if not proof:
                return _oauth(
                    400, "invalid_dpop_proof", "The DPoP proof JWT header is missing."
                )
            problem = self._check_proof(proof, "POST", token_url, nonce=self.nonce)
            if problem == "use_dpop_nonce":
                reply = _oauth(
                    400,
                    "use_dpop_nonce",
                    "Authorization server requires nonce in DPoP proof.",
                )
                reply.headers["DPoP-Nonce"] = self.nonce
                return reply
            if problem is not None:
                return _oauth(400, "invalid_dpop_proof", problem)
            jkt = thumbprint(jwt.get_unverified_header(proof)["jwk"])

        token = secrets.token_urlsafe(32)
        self.issued[token] = Issued(token, asked, jkt, time.time() + app.lifetime)
        return Reply(
            200,
            {
                "token_type": "DPoP" if jkt else "Bearer",
                "expires_in": app.lifetime,
                "access_token": token,
                "scope": " ".join(sorted(asked)),
            },
        )

    def _check_proof(
        self,
        proof: str | None,
        method: str,
        url: str,
        token: str | None = None,
        nonce: str | None = None,
    ) -> str | None:
        """Check a DPoP proof; return what is wrong with it, or None."""
        if not proof:
            return "The DPoP proof JWT header is missing."
        try:
            header = jwt.get_unverified_header(proof)
            if header.get("typ") != "dpop+jwt":
                return "The typ is not dpop+jwt."
            jwk = header.get("jwk")
            if not isinstance(jwk, dict) or "d" in jwk:
                return "The jwk header is missing or holds a private key."
            key = jwt.PyJWK(jwk).key
            claims = jwt.decode(proof, key, algorithms=[header["alg"]])
        except (jwt.PyJWTError, KeyError, ValueError) as error:
            return f"The DPoP proof signature is invalid: {error}."
        if claims.get("htm") != method:
            return "The htm does not match the request."
        if claims.get("htu") != url:
            return "The htu does not match the request URL."
        if abs(time.time() - float(claims.get("iat", 0))) > 60:
            return "The iat is not recent."
        jti = claims.get("jti")
        with self._lock:
            if not jti or jti in self._jtis:
                return "The jti was used before."
            self._jtis.add(jti)
        if token is not None:
            digest = hashlib.sha256(token.encode("ascii")).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
            if claims.get("ath") != expected:
                return "The ath does not match the access token."
            issued = self.issued[token]
            if thumbprint(jwk) != issued.jkt:
                return "The proof key is not the one the token is bound to."
        if nonce is not None and claims.get("nonce") != nonce:
            return "use_dpop_nonce"
        return None

    def _route(self, path: str, query: dict[str, list[str]]) -> Reply:
        if "q" in query:
            return Reply(
                400,
                _error("E0000031", "Invalid search criteria.", "q is not for exports"),
            )
        if path == "/api/v1/users":
            return self._list_users(path, query)
        if path == "/api/v1/meta/schemas/user/default":
            return Reply(200, self._schema())
        match = re.fullmatch(r"/api/v1/(apps|groups)/([^/]+)/users", path)
        if match:
            kind, object_id = match.groups()
            members = (self.apps if kind == "apps" else self.groups).get(object_id)
            if members is None:
                what = "AppInstance" if kind == "apps" else "UserGroup"
                return Reply(
                    404,
                    _error(
                        "E0000007",
                        f"Not found: Resource not found: {object_id} ({what})",
                    ),
                )
            indices = [self._by_id[user_id] for user_id in members]
            return self._page(path, query, indices, app=kind == "apps")
        return Reply(404, _error("E0000007", f"Not found: Resource not found: {path}"))

    def _list_users(self, path: str, query: dict[str, list[str]]) -> Reply:
        expression = ""
        for name in ("filter", "search"):
            if name in query:
                expression = query[name][0]
                kind = name
                break
        else:
            kind = "list"
        key = (path, kind, expression)
        indices = self._matches.get(key)
        if indices is None:
            try:
                indices = self._select(kind, expression)
            except ValueError as error:
                return Reply(
                    400, _error("E0000031", "Invalid search criteria.", str(error))
                )
            self._matches[key] = indices
        return self._page(path, query, indices)

    def _select(self, kind: str, expression: str) -> list[int]:
        if kind == "list":
            return [
                i
                for i, user in enumerate(self.users)
                if user["status"] != "DEPROVISIONED"
            ]
        test = parse_expression(expression, filter_only=kind == "filter")
        return [i for i, user in enumerate(self.users) if test(user)]

    def _page(
        self,
        path: str,
        query: dict[str, list[str]],
        indices: list[int],
        app: bool = False,
    ) -> Reply:
        limit = min(int(query.get("limit", ["200"])[0]), self.page_limit, 200)
        after = query.get("after", [None])[0]
        if after is None:
            start = 0
        elif after in self._cursors:
            start = self._cursors[after]
        else:
            return Reply(
                400, _error("E0000031", "Invalid search criteria.", "bad cursor")
            )
        chosen = indices[start : start + limit]
        if app:
            expand = query.get("expand", [""])[0] == "user"
            body = json.dumps([self._app_user(i, expand) for i in chosen]).encode()
        else:
            body = b"[" + b",".join(self._encoded[i] for i in chosen) + b"]"

        kept = {k: v[0] for k, v in query.items() if k not in ("after", "limit")}
        here = {**kept, "limit": limit}
        if after is not None:
            here["after"] = after
        links = [f'<{self.url}{path}?{urlencode(here)}>; rel="self"']
        if start + limit < len(indices):
            cursor = secrets.token_urlsafe(12)
            with self._lock:
                self._cursors[cursor] = start + limit
            following = {**kept, "after": cursor, "limit": limit}
            if self.repeat_next and after is not None:
                following = {**kept, "after": after, "limit": limit}
            origin = self.next_origin or self.url
            links.append(f'<{origin}{path}?{urlencode(following)}>; rel="next"')
        with self._lock:
            self.links.extend(
                (link.rsplit('rel="', 1)[1].rstrip('"'), link[1 : link.index(">")])
                for link in links
            )
        return Reply(200, body, links=links)

    def _app_user(self, index: int, expand: bool) -> dict[str, Any]:
        user = self.users[index]
        app_user = copy.deepcopy(example("AppUserListEx")[0])
        app_user["id"] = user["id"]
        app_user["credentials"] = {"userName": user["profile"].get("login")}
        app_user["profile"] = {
            "email": user["profile"].get("email"),
            "role": "Employee",
        }
        if expand:
            app_user["_embedded"] = {"user": user}
        else:
            app_user.pop("_embedded", None)
        return app_user

    def _schema(self) -> dict[str, Any]:
        schema = example("UserSchemaResponse")
        base = schema["definitions"]["base"]["properties"]
        for name in BASE_ATTRIBUTES:
            base.setdefault(name, {"title": name, "type": "string"})
        schema["definitions"]["custom"]["properties"].update(
            {
                name: {"title": title, "type": "string"}
                for name, title in self.custom_attributes.items()
            }
        )
        return schema


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's
    # algorithm and delayed ACKs add 40 ms to every answer.
    disable_nagle_algorithm = True
    okta: FakeOkta
    now: float = 0.0

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date of the moment the request arrived, the one its rate-limit
        # headers were computed at.
        return email.utils.formatdate(self.now, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        self.now = self.okta.clock()
        try:
            reply = self.okta.answer(self)
        except Exception as error:  # a bug in the fake: say so loudly
            reply = Reply(599, {"fakeError": repr(error)})
        body = (
            reply.body
            if isinstance(reply.body, bytes)
            else json.dumps(reply.body).encode()
        )
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Okta-Request-Id", secrets.token_hex(8))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            for link in reply.links:
                self.send_header("link", link)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def thumbprint(jwk: dict[str, Any]) -> str:
    """The JWK thumbprint of RFC 7638 (SHA-256, base64url)."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}[jwk["kty"]]
    text = json.dumps(
        {m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _error(code: str, summary: str, *causes: str) -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": f"oae{secrets.token_hex(10)}",
        "errorCauses": [{"errorSummary": cause} for cause in causes],
    }


def _oauth(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


# Okta's filter and search expressions, as far as the tests need them --------

LEXEME = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*))')


def parse_expression(
    text: str, filter_only: bool = False
) -> Callable[[dict[str, Any]], bool]:
    """Compile an expression (``status eq "ACTIVE" or ...``) to a test of a user."""
    tokens = list(_tokens(text))
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("the expression ends too early")
        position += 1
        return tokens[position - 1]

    def disjunction() -> Callable[[dict[str, Any]], bool]:
        tests = [conjunction()]
        while peek() == ("word", "or"):
            take()
            tests.append(conjunction())
        return lambda user: any(test(user) for test in tests)

    def conjunction() -> Callable[[dict[str, Any]], bool]:
        tests = [term()]
        while peek() == ("word", "and"):
            take()
            tests.append(term())
        return lambda user: all(test(user) for test in tests)

    def term() -> Callable[[dict[str, Any]], bool]:
        kind, value = take()
        if kind == "(":
            inner = disjunction()
            if take()[0] != ")":
                raise ValueError("a parenthesis is not closed")
            return inner
        if kind != "word":
            raise ValueError(f"expected an attribute, found {value!r}")
        attribute = value
        operator = take()[1].lower()
        if filter_only and attribute not in FILTER_ATTRIBUTES:
            raise ValueError(f"{attribute} cannot be filtered on")
        if filter_only and operator != "eq" and attribute != "lastUpdated":
            raise ValueError(f"filter allows only eq on {attribute}")
        if operator == "pr":
            return lambda user: _value(user, attribute) not in (None, "")
        kind, literal = take()
        if kind != "string":
            raise ValueError("a value must be in double quotes")
        return _comparison(attribute, operator, literal)

    test = disjunction()
    if position != len(tokens):
        raise ValueError(f"unexpected {tokens[position][1]!r}")
    return test


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            return
        match = LEXEME.match(text, position)
        if not match:
            raise ValueError(f"cannot read {text[position:]!r}")
        position = match.end()
        if match.group(1):
            yield "(", "("
        elif match.group(2):
            yield ")", ")"
        elif match.group(3) is not None:
            yield "string", match.group(3)
        else:
            yield "word", match.group(4)


def _comparison(
    attribute: str, operator: str, literal: str
) -> Callable[[dict[str, Any]], bool]:
    def compare(user: dict[str, Any]) -> bool:
        value = _value(user, attribute)
        if value is None:
            return False
        text = str(value)
        if operator == "eq":
            return (
                text == literal
                if attribute == "status"
                else text.lower() == literal.lower()
            )
        if operator == "sw":
            return text.lower().startswith(literal.lower())
        if operator == "co":
            return literal.lower() in text.lower()
        if operator in ("gt", "ge", "lt", "le"):
            return {
                "gt": text > literal,
                "ge": text >= literal,
                "lt": text < literal,
                "le": text <= literal,
            }[operator]
        raise ValueError(f"unknown operator {operator}")

    if operator not in ("eq", "sw", "co", "gt", "ge", "lt", "le"):
        raise ValueError(f"unknown operator {operator!r}")
    return compare


def _value(user: dict[str, Any], attribute: str) -> Any:
    if attribute.startswith("profile."):
        return (user.get("profile") or {}).get(attribute[len("profile.") :])
    return user.get(attribute)


# What the tests share --------------------------------------------------------

OKTA_VARIABLES = (
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_CLIENT_CLIENTID",
    "OKTA_CLIENT_PRIVATEKEY",
    "OKTA_CLIENT_PRIVATEKEYID",
    "OKTA_CLIENT_SCOPES",
    "OKTA_CLIENT_AUTHORIZATIONMODE",
)


class FakeClock:
    """One clock for the client and the fake org: waiting advances it at once."""

    def __init__(self) -> None:
        self.started = time.time()
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    def wall(self) -> float:
        return self.started + self.elapsed


def okta_env(org_url: str, **variables: str | None) -> dict[str, str | None]:
    """The environment of one export: the org and token, no other Okta settings."""
    env: dict[str, str | None] = dict.fromkeys(OKTA_VARIABLES)
    env.update(OKTA_CLIENT_ORGURL=org_url, OKTA_CLIENT_TOKEN=TOKEN)
    env.update(variables)
    return env


# Serving generated users, for the benchmark ---------------------------------


def generated_users(count: int, custom: int = 4) -> list[dict[str, Any]]:
    """Users with every base attribute and a few custom ones filled in."""
    statuses = ["ACTIVE"] * 17 + ["SUSPENDED", "PROVISIONED", "DEPROVISIONED"]
    users = []
    for number in range(count):
        profile = {name: f"{name}-{number}" for name in BASE_ATTRIBUTES}
        profile.update(
            login=f"user{number}@example.com",
            email=f"user{number}@example.com",
            countryCode="JP",
            employeeNumber=f"{number:07d}",
        )
        profile.update({f"custom{c}": f"value{c}-{number}" for c in range(custom)})
        users.append(make_user(number, statuses[number % len(statuses)], **profile))
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Okta org on 127.0.0.1.")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=int, default=600)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--token", default=TOKEN)
    arguments = parser.parse_args()

    okta = FakeOkta(
        generated_users(arguments.users),
        token=arguments.token,
        rate_limit=arguments.rate_limit,
        window=arguments.window,
        latency=arguments.latency,
        custom_attributes={f"custom{c}": f"Custom {c}" for c in range(4)},
    ).start()
    print(okta.url, flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    okta.stop()


if __name__ == "__main__":
    main()
