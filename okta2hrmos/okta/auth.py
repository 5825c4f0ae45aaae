"""Okta credentials: an API token, or an OAuth 2.0 service app with DPoP.

A credential turns a request (method and URL) into the headers that
authenticate it. The service app gets its access token from the org
authorization server with a ``private_key_jwt`` client assertion, binds it
to a DPoP key when the app requires that, and reuses it until shortly
before it expires.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

from ..errors import ConfigError, OktaError

TOKEN_ENV = "OKTA_CLIENT_TOKEN"
CLIENT_ID_ENV = "OKTA_CLIENT_CLIENTID"
PRIVATE_KEY_ENV = "OKTA_CLIENT_PRIVATEKEY"
KEY_ID_ENV = "OKTA_CLIENT_PRIVATEKEYID"
SCOPES_ENV = "OKTA_CLIENT_SCOPES"
AUTH_MODE_ENV = "OKTA_CLIENT_AUTHORIZATIONMODE"

TOKEN_PATH = "/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# An assertion is used once, right away; Okta allows up to an hour.
ASSERTION_LIFETIME = 300
# Renew the access token this long before Okta says it expires.
RENEWAL_MARGIN = 300

EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
OKTA_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")

Post = Callable[[str, dict[str, str], dict[str, str]], httpx.Response]


class Credentials(Protocol):
    """What the client needs from a credential."""

    secrets: Sequence[str]
    description: str

    def headers(self, method: str, url: str, post: Post) -> dict[str, str]: ...

    def retry_unauthorized(self, response: httpx.Response) -> bool: ...


class ApiToken:
    """An Okta API token (``SSWS``), or an access token obtained elsewhere."""

    def __init__(self, token: str, env_name: str, scheme: str = "SSWS") -> None:
        if not all(" " < char < "\x7f" for char in token):
            raise ConfigError(
                f"The token in {env_name} holds a space, a line break or a character "
                "that is not plain ASCII (a pasted '…' or a full-width letter, say); "
                "copy it again from Okta and set the variable once more."
            )
        self._token = token
        self.scheme = scheme
        self.env_name = env_name
        self.secrets = [token]
        kind = "API token" if scheme == "SSWS" else "access token"
        self.description = f"the {kind} in {env_name}"

    def headers(self, method: str, url: str, post: Post) -> dict[str, str]:
        return {"Authorization": f"{self.scheme} {self._token}"}

    def retry_unauthorized(self, response: httpx.Response) -> bool:
        return False


@dataclass(frozen=True)
class SigningKey:
    """The service app's private key and the JWS algorithm it signs with."""

    key: Any
    algorithm: str
    key_id: str | None


def signing_key_from_text(text: str, source: str, key_id: str | None) -> SigningKey:
    """Load a private key given as PEM or as a JWK (JSON)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return _key_from_jwk(stripped, source, key_id)
    if stripped.startswith("-----BEGIN"):
        return _key_from_pem(stripped, source, key_id)
    raise ConfigError(
        f"{source} is neither a PEM private key (-----BEGIN PRIVATE KEY-----) nor "
        'a JWK (JSON with "kty"); give the key the service app was set up with.'
    )


def signing_key_from_file(path: Path, key_id: str | None) -> SigningKey:
    """Load a private key from a PEM or JWK file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"The private key file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError):
        raise ConfigError(
            f"The private key file {path} cannot be read as text; give a PEM or "
            "JWK file."
        ) from None
    return signing_key_from_text(text, f"The private key file {path}", key_id)


def _key_from_pem(text: str, source: str, key_id: str | None) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except TypeError:
        raise ConfigError(
            f"{source} is encrypted with a passphrase; give an unencrypted key "
            "(openssl pkey -in key.pem -out plain.pem)."
        ) from None
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            f"{source} looks like PEM but is not a readable private key; copy it "
            "again, including the BEGIN and END lines."
        ) from None
    return SigningKey(key, _algorithm_for(key, source), key_id)


def _key_from_jwk(text: str, source: str, key_id: str | None) -> SigningKey:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError
        if "d" not in data:
            raise ConfigError(
                f'{source} is a public JWK; give the private key (with "d").'
            )
        key = jwt.PyJWK(data).key
    except ConfigError:
        raise
    except (ValueError, jwt.exceptions.PyJWKError, jwt.exceptions.InvalidKeyError):
        raise ConfigError(
            f"{source} looks like a JWK but is not a valid private key; copy the "
            "whole JSON object again."
        ) from None
    algorithm = data.get("alg")
    if algorithm not in OKTA_ALGORITHMS:
        algorithm = _algorithm_for(key, source)
    return SigningKey(key, algorithm, key_id or data.get("kid"))


def _algorithm_for(key: Any, source: str) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ConfigError(
                f"{source} is a {key.key_size}-bit RSA key; Okta needs 2048 bits or "
                "more."
            )
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in EC_ALGORITHMS:
        return EC_ALGORITHMS[key.curve.name]
    raise ConfigError(
        f"{source} is not an RSA or EC (P-256, P-384, P-521) private key, the kinds "
        "Okta accepts for a service app."
    )


class DpopKey:
    """A key made for this run, proving possession of a DPoP-bound token."""

    algorithm = "RS256"

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.jwk = {name: public[name] for name in ("kty", "n", "e")}
        self._wall = wall

    def proof(
        self,
        method: str,
        url: str,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        """Sign a proof for one request (RFC 9449)."""
        claims: dict[str, Any] = {
            "htm": method,
            "htu": str(httpx.URL(url).copy_with(query=None, fragment=None)),
            "iat": int(self._wall()),
            "jti": uuid.uuid4().hex,
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = token_hash(access_token)
        return jwt.encode(
            claims,
            self._key,
            algorithm=self.algorithm,
            headers={"typ": "dpop+jwt", "jwk": self.jwk},
        )


def token_hash(access_token: str) -> str:
    """Return the ``ath`` of an access token: base64url of its SHA-256."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class ServiceApp:
    """An OAuth 2.0 service app using client credentials and ``private_key_jwt``.

    ``optional_scopes`` are dropped, with a note, when Okta says the app was
    not granted them; the rest must be granted.
    """

    def __init__(
        self,
        org_url: str,
        client_id: str,
        key: SigningKey,
        scopes: Sequence[str],
        optional_scopes: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.token_url = f"{org_url}{TOKEN_PATH}"
        self.client_id = client_id
        self.scopes = list(scopes)
        self.optional_scopes = [s for s in optional_scopes if s in self.scopes]
        self.description = f"the service app {client_id}"
        self.notes: list[str] = []
        self.dpop: DpopKey | None = None
        self.token_requests = 0
        self._key = key
        self._clock = clock
        self._wall = wall
        self._token_nonce: str | None = None
        self._api_nonce: str | None = None
        self._token: str | None = None
        self._token_type = "Bearer"
        self._renew_at = 0.0
        self._secret_tokens: list[str] = []

    @property
    def secrets(self) -> list[str]:
        return self._secret_tokens

    def headers(self, method: str, url: str, post: Post) -> dict[str, str]:
        if self._token is None or self._clock() >= self._renew_at:
            self._fetch_token(post)
        assert self._token is not None
        headers = {"Authorization": f"{self._token_type} {self._token}"}
        if self._token_type == "DPoP" and self.dpop is not None:
            headers["DPoP"] = self.dpop.proof(
                method, url, nonce=self._api_nonce, access_token=self._token
            )
        return headers

    def retry_unauthorized(self, response: httpx.Response) -> bool:
        """Decide whether a 401 from the API is worth one more try, and prepare it."""
        challenge = response.headers.get("WWW-Authenticate", "")
        nonce = response.headers.get("DPoP-Nonce")
        if "use_dpop_nonce" in challenge and nonce:
            self._api_nonce = nonce
            return True
        if "invalid_token" in challenge or not challenge:
            # The token may have been revoked or may have lapsed early.
            self._token = None
            return True
        return False

    def _fetch_token(self, post: Post) -> None:
        # One try without DPoP, one to switch it on, and up to two nonces.
        for _ in range(4):
            headers = {"Accept": "application/json"}
            if self.dpop is not None:
                headers["DPoP"] = self.dpop.proof(
                    "POST", self.token_url, nonce=self._token_nonce
                )
            self.token_requests += 1
            response = post(self.token_url, self._form(), headers)
            if response.headers.get("DPoP-Nonce"):
                self._token_nonce = response.headers["DPoP-Nonce"]
            if response.status_code == 200:
                self._accept_token(response)
                return
            error, description = _oauth_error(response)
            if error == "use_dpop_nonce" and self.dpop is not None:
                continue
            if error == "invalid_dpop_proof" and self.dpop is None:
                self.dpop = DpopKey(self._wall)
                continue
            if error == "invalid_scope" and self._drop_optional_scopes(description):
                continue
            raise OktaError(self._token_failure(response, error, description))
        raise OktaError(
            f"Okta's token endpoint {self.token_url} kept asking for a new DPoP "
            "nonce; try again, and if it persists ask your Okta admin to check the "
            "app's DPoP setting."
        )

    def _form(self) -> dict[str, str]:
        now = int(self._wall())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        headers = {"kid": self._key.key_id} if self._key.key_id else None
        assertion = jwt.encode(
            claims, self._key.key, algorithm=self._key.algorithm, headers=headers
        )
        return {
            "grant_type": "client_credentials",
            "scope": " ".join(self.scopes),
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
        }

    def _accept_token(self, response: httpx.Response) -> None:
        try:
            body = response.json()
            token = body["access_token"]
            token_type = str(body.get("token_type", "Bearer"))
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise OktaError(
                f"Okta's token endpoint {self.token_url} answered 200 without an "
                "access token; check that the org URL is the Okta org itself."
            ) from None
        if not isinstance(token, str) or not token:
            raise OktaError(
                f"Okta's token endpoint {self.token_url} answered 200 with an empty "
                "access token; try again."
            )
        self._secret_tokens.append(token)
        self._token = token
        self._token_type = "DPoP" if token_type.lower() == "dpop" else "Bearer"
        margin = min(RENEWAL_MARGIN, lifetime / 2)
        self._renew_at = self._clock() + lifetime - margin

    def _drop_optional_scopes(self, description: str) -> bool:
        refused = [s for s in self.optional_scopes if s in description]
        if not refused:
            refused = list(self.optional_scopes)
        if not refused:
            return False
        self.scopes = [s for s in self.scopes if s not in refused]
        self.optional_scopes = [s for s in self.optional_scopes if s not in refused]
        self.notes.append(
            f"The service app is not granted {', '.join(refused)}; going on without it."
        )
        return True

    def _token_failure(
        self, response: httpx.Response, error: str, description: str
    ) -> str:
        said = f"{error}: {description}" if description else error
        where = f"Okta's token endpoint {self.token_url}"
        if response.status_code == 404:
            return (
                f"{where} answered 404: the org URL is not an Okta org; check "
                "--org-url (it looks like https://yourcompany.okta.com)."
            )
        if error == "invalid_client":
            return (
                f"{where} did not accept the service app ({said}); check that "
                f"{CLIENT_ID_ENV} is the app's client ID, that the app uses "
                "'Public key / Private key' client authentication with this key's "
                "public half, and that the key ID matches."
            )
        if error == "invalid_scope":
            return (
                f"{where} refused the scopes {' '.join(self.scopes)} ({said}); grant "
                "them on the app's 'Okta API Scopes' tab, or set "
                f"{SCOPES_ENV} to the scopes it has."
            )
        if error == "unauthorized_client":
            return (
                f"{where} does not let this app use client credentials ({said}); "
                "use an 'API Services' app."
            )
        if error == "invalid_dpop_proof":
            return (
                f"{where} rejected the DPoP proof ({said}); check that this "
                "machine's clock is right."
            )
        return (
            f"{where} answered {response.status_code} ({said}); check the service "
            "app's settings in the Okta Admin Console."
        )


def _oauth_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", ""
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", ""
    if "error" in body:
        return str(body["error"]), str(body.get("error_description") or "")
    if "errorCode" in body:
        return str(body["errorCode"]), str(body.get("errorSummary") or "")
    return f"HTTP {response.status_code}", ""
