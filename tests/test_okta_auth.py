"""Service apps: private_key_jwt, DPoP with the nonce exchange, keys, scopes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from okta2hrmos.errors import ConfigError
from okta2hrmos.okta.auth import DpopKey, ServiceApp, signing_key_from_text, token_hash
from okta2hrmos.okta.client import OktaClient
from okta2hrmos.okta.commands import export_command
from okta2hrmos.okta.connection import org_from_url
from tests.fakeokta import (
    FakeClock,
    FakeOkta,
    Issued,
    make_user,
    okta_env,
)
from tests.fakeokta import ServiceApp as RegisteredApp

CLIENT_ID = "0oaServiceApp12345678"
TOKEN_PATH = "/oauth2/v1/token"

Export = Callable[..., Result]


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


@pytest.fixture
def okta(clock: FakeClock, rsa_key: rsa.RSAPrivateKey) -> Iterator[FakeOkta]:
    users = [make_user(n) for n in range(1, 6)]
    app = RegisteredApp(CLIENT_ID, rsa_key.public_key())
    with FakeOkta(users, page_limit=2, service_app=app, clock=clock.wall) as server:
        yield server


@pytest.fixture
def export(
    okta: FakeOkta, rsa_key: rsa.RSAPrivateKey, tmp_path: Path, monkeypatch
) -> Export:
    """Run the export as the service app, with its key in OKTA_CLIENT_PRIVATEKEY."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, **env: str | None) -> Result:
        variables = {
            "OKTA_CLIENT_TOKEN": None,
            "OKTA_CLIENT_CLIENTID": CLIENT_ID,
            "OKTA_CLIENT_PRIVATEKEY": pem(rsa_key),
            **env,
        }
        return CliRunner().invoke(
            export_command,
            ["-o", "users.csv", *args],
            env=okta_env(okta.url, **variables),
            catch_exceptions=False,
        )

    return run


def token_calls(okta: FakeOkta) -> list:
    return okta.requests_to(TOKEN_PATH)


def proof_of(seen) -> tuple[dict, dict]:
    proof = seen.headers["DPoP"]
    return jwt.get_unverified_header(proof), jwt.decode(
        proof, options={"verify_signature": False}
    )


def assertion_of(seen) -> tuple[dict, dict]:
    assertion = parse_qs(seen.body)["client_assertion"][0]
    return jwt.get_unverified_header(assertion), jwt.decode(
        assertion, options={"verify_signature": False}
    )


def secrets_absent(result: Result, tmp_path: Path, secrets: list[str]) -> None:
    written = "".join(
        p.read_text(encoding="utf-8-sig") for p in tmp_path.iterdir() if p.is_file()
    )
    for secret in secrets:
        assert secret not in result.output
        assert secret not in result.stderr
        assert secret not in written


# The DPoP exchange -------------------------------------------------------------


def test_a_dpop_service_app_gets_its_token_through_the_nonce_exchange(
    okta: FakeOkta, export: Export, tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    result = export()

    assert result.exit_code == 0, result.output
    first, switched, final = token_calls(okta)
    assert "DPoP" not in first.headers
    assert "nonce" not in proof_of(switched)[1]
    header, claims = proof_of(final)
    assert header["typ"] == "dpop+jwt"
    assert set(header["jwk"]) == {"kty", "n", "e"}
    assert claims["htm"] == "POST"
    assert claims["htu"] == okta.url + TOKEN_PATH
    assert claims["nonce"] == okta.nonce
    form = parse_qs(final.body)
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["okta.users.read okta.schemas.read"]
    assert form["client_assertion_type"] == [
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ]
    _, assertion = assertion_of(final)
    assert assertion["iss"] == assertion["sub"] == CLIENT_ID
    assert assertion["aud"] == okta.url + TOKEN_PATH
    assert assertion["exp"] - assertion["iat"] <= 300
    (issued,) = okta.issued.values()
    assert issued.jkt is not None
    secrets_absent(result, tmp_path, [pem(rsa_key), issued.token])


def test_every_api_call_carries_a_fresh_proof_bound_to_the_token(
    okta: FakeOkta, export: Export
) -> None:
    result = export()

    assert result.exit_code == 0, result.output
    (issued,) = okta.issued.values()
    api = [seen for seen in okta.requests if seen.path.startswith("/api/v1/")]
    assert len(api) == 5  # the schema, three pages, the DEPROVISIONED pass
    ids = set()
    for seen in api:
        assert seen.headers["Authorization"] == f"DPoP {issued.token}"
        _, claims = proof_of(seen)
        assert claims["htm"] == "GET"
        assert claims["htu"] == okta.url + seen.path  # no query
        assert claims["ath"] == token_hash(issued.token)
        ids.add(claims["jti"])
    assert len(ids) == len(api)


def test_the_token_is_reused_for_every_page(okta: FakeOkta, export: Export) -> None:
    okta.set_users([make_user(n) for n in range(11)])

    assert export().exit_code == 0

    assert len(okta.issued) == 1
    assert len(token_calls(okta)) == 3


def test_the_token_is_renewed_shortly_before_it_expires(
    okta: FakeOkta, rsa_key: rsa.RSAPrivateKey
) -> None:
    clock = FakeClock()
    org = org_from_url(okta.url)
    key = signing_key_from_text(pem(rsa_key), "the key", None)
    app = ServiceApp(org.url, CLIENT_ID, key, ["okta.users.read"], clock=clock.now)

    with OktaClient(org, app, clock=clock) as client:
        assert client.get("/api/v1/users").status_code == 200
        clock.elapsed += 3000
        assert client.get("/api/v1/users").status_code == 200
        assert len(okta.issued) == 1
        clock.elapsed += 400  # now within five minutes of the hour
        assert client.get("/api/v1/users").status_code == 200

    assert len(okta.issued) == 2


def test_a_nonce_asked_by_the_api_is_sent_on_the_retry(
    okta: FakeOkta, export: Export
) -> None:
    okta.service_app.api_nonce = True

    result = export()

    assert result.exit_code == 0, result.output
    schema = okta.requests_to("/api/v1/meta/schemas/user/default")
    assert len(schema) == 2
    assert "nonce" not in proof_of(schema[0])[1]
    assert proof_of(schema[1])[1]["nonce"] == okta.nonce


def test_an_app_without_dpop_uses_a_bearer_token(
    okta: FakeOkta, export: Export
) -> None:
    okta.service_app.require_dpop = False

    result = export()

    assert result.exit_code == 0, result.output
    assert len(token_calls(okta)) == 1
    (issued,) = okta.issued.values()
    for seen in okta.requests_to("/api/v1/users"):
        assert seen.headers["Authorization"] == f"Bearer {issued.token}"
        assert "DPoP" not in seen.headers


def test_a_proof_strips_the_query_and_hashes_the_token() -> None:
    key = DpopKey()

    proof = key.proof(
        "GET", "https://acme.okta.com/api/v1/users?limit=200#x", access_token="abc"
    )

    header = jwt.get_unverified_header(proof)
    claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["RS256"])
    assert claims["htu"] == "https://acme.okta.com/api/v1/users"
    assert claims["ath"] == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
    assert abs(claims["iat"] - time.time()) < 5


# Keys ------------------------------------------------------------------------


def test_a_jwk_key_signs_with_its_kid(
    okta: FakeOkta, export: Export, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    jwk = RSAAlgorithm.to_jwk(rsa_key, as_dict=True)
    jwk["kid"] = "key-2024"

    result = export(OKTA_CLIENT_PRIVATEKEY=json.dumps(jwk))

    assert result.exit_code == 0, result.output
    header, _ = assertion_of(token_calls(okta)[-1])
    assert (header["alg"], header["kid"]) == ("RS256", "key-2024")
    secrets_absent(result, tmp_path, [jwk["d"]])


def test_an_ec_key_signs_with_es256(okta: FakeOkta, export: Export) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    okta.service_app.public_key = key.public_key()

    result = export(OKTA_CLIENT_PRIVATEKEY=pem(key), OKTA_CLIENT_PRIVATEKEYID="ec1")

    assert result.exit_code == 0, result.output
    header, _ = assertion_of(token_calls(okta)[-1])
    assert (header["alg"], header["kid"]) == ("ES256", "ec1")


def test_a_key_file_and_escaped_newlines_both_work(
    okta: FakeOkta, export: Export, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    key_file = tmp_path.parent / f"{tmp_path.name}-key.pem"
    key_file.write_text(pem(rsa_key), encoding="ascii")

    from_file = export("--private-key-file", str(key_file), OKTA_CLIENT_PRIVATEKEY=None)
    escaped = export(OKTA_CLIENT_PRIVATEKEY=pem(rsa_key).replace("\n", "\\n"))

    assert from_file.exit_code == 0, from_file.output
    assert escaped.exit_code == 0, escaped.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a key at all, but maybe a secret", "is neither a PEM private key"),
        ('{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "is a public JWK"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "not a readable",
        ),
    ],
)
def test_an_unusable_key_exits_2_without_echoing_it(
    export: Export, value: str, message: str
) -> None:
    result = export(OKTA_CLIENT_PRIVATEKEY=value)

    assert result.exit_code == 2
    assert message in result.stderr
    assert value not in result.output


def test_an_encrypted_key_is_refused_with_the_fix() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    ).decode("ascii")

    with pytest.raises(ConfigError, match="encrypted with a passphrase"):
        signing_key_from_text(text, "OKTA_CLIENT_PRIVATEKEY", None)


def test_a_small_rsa_key_is_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)

    with pytest.raises(ConfigError, match="1024-bit RSA key"):
        signing_key_from_text(pem(key), "the key", None)


def test_an_ec_jwk_is_read() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = ECAlgorithm.to_jwk(key, as_dict=True)

    signing = signing_key_from_text(json.dumps(jwk), "the key", None)

    assert signing.algorithm == "ES384"


def test_a_missing_key_or_client_id_exits_2(export: Export) -> None:
    no_key = export(OKTA_CLIENT_PRIVATEKEY=None)
    no_id = export("--auth-mode", "PrivateKey", OKTA_CLIENT_CLIENTID=None)

    assert no_key.exit_code == 2
    assert "needs its private key: set OKTA_CLIENT_PRIVATEKEY" in no_key.stderr
    assert no_id.exit_code == 2
    assert "needs its client ID" in no_id.stderr


# Scopes and refusals -----------------------------------------------------------


def test_without_the_schema_scope_the_export_goes_on_from_the_data(
    okta: FakeOkta, export: Export
) -> None:
    okta.service_app.scopes = {"okta.users.read"}

    result = export()

    assert result.exit_code == 0, result.output
    assert "not granted okta.schemas.read; going on without it" in result.stderr
    assert "may not read the user schema" in result.stderr
    scopes = [parse_qs(seen.body)["scope"][0] for seen in token_calls(okta)]
    assert scopes[-1] == "okta.users.read"


def test_app_and_group_exports_ask_for_their_scopes(
    okta: FakeOkta, export: Export
) -> None:
    okta.service_app.scopes |= {"okta.apps.read"}
    okta.apps = {"0oaHRMOS": [okta.users[0]["id"]]}

    result = export("--app", "0oaHRMOS")

    assert result.exit_code == 0, result.output
    scope = parse_qs(token_calls(okta)[-1].body)["scope"][0]
    assert scope == "okta.users.read okta.apps.read okta.schemas.read"


def test_a_required_scope_not_granted_exits_3_naming_it(
    okta: FakeOkta, export: Export
) -> None:
    okta.service_app.scopes = {"okta.schemas.read"}

    result = export()

    assert result.exit_code == 3
    assert "invalid_scope" in result.stderr
    assert "okta.users.read" in result.stderr
    assert "'Okta API Scopes' tab" in result.stderr


def test_a_token_without_the_scope_gets_a_403_naming_it(
    okta: FakeOkta, export: Export
) -> None:
    result = export("--scopes", "okta.schemas.read")

    assert result.exit_code == 3
    assert "E0000006" in result.stderr
    assert "needs the scope okta.users.read" in result.stderr


def test_a_wrong_client_id_is_explained(okta: FakeOkta, export: Export) -> None:
    result = export(OKTA_CLIENT_CLIENTID="0oaSomeOtherApp")

    assert result.exit_code == 3
    assert "did not accept the service app (invalid_client" in result.stderr
    assert "OKTA_CLIENT_CLIENTID" in result.stderr


def test_a_key_the_app_does_not_know_is_refused(okta: FakeOkta, export: Export) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    result = export(OKTA_CLIENT_PRIVATEKEY=pem(other))

    assert result.exit_code == 3
    assert "invalid_client" in result.stderr
    assert pem(other) not in result.output


# Choosing the way to authenticate ---------------------------------------------


def test_ssws_mode_uses_the_token_even_with_a_client_id(
    okta: FakeOkta, export: Export
) -> None:
    from tests.fakeokta import TOKEN

    result = export("--auth-mode", "SSWS", OKTA_CLIENT_TOKEN=TOKEN)

    assert result.exit_code == 0, result.output
    assert token_calls(okta) == []


def test_bearer_mode_sends_an_access_token_from_the_environment(
    okta: FakeOkta, export: Export, tmp_path: Path
) -> None:
    okta.issued["preIssuedAccessToken"] = Issued(
        "preIssuedAccessToken",
        {"okta.users.read", "okta.schemas.read"},
        None,
        time.time() + 600,
    )

    result = export(
        OKTA_CLIENT_AUTHORIZATIONMODE="Bearer",
        OKTA_CLIENT_CLIENTID=None,
        OKTA_CLIENT_TOKEN="preIssuedAccessToken",
    )

    assert result.exit_code == 0, result.output
    assert okta.requests[0].headers["Authorization"] == "Bearer preIssuedAccessToken"
    secrets_absent(result, tmp_path, ["preIssuedAccessToken"])
