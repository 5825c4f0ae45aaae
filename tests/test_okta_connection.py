"""The org URL: https only, the Admin Console host corrected, nothing secret echoed."""

from __future__ import annotations

import pytest

from okta2hrmos.errors import ConfigError
from okta2hrmos.okta.connection import USER_AGENT, is_loopback, org_from_url


def test_an_org_url_keeps_scheme_host_and_port_only() -> None:
    org = org_from_url(" https://Acme.okta.com/ ")

    assert org.url == "https://acme.okta.com"
    assert org.notes == []


def test_a_bare_host_name_means_https() -> None:
    assert org_from_url("acme.okta.com").url == "https://acme.okta.com"


def test_the_admin_console_host_is_corrected_with_a_note() -> None:
    org = org_from_url("https://acme-admin.okta.com/admin/dashboard")

    assert org.url == "https://acme.okta.com"
    assert "Admin Console" in org.notes[0]
    assert "https://acme.okta.com" in org.notes[0]
    assert any("path" in note for note in org.notes)


def test_preview_and_emea_admin_hosts_are_corrected_too() -> None:
    assert org_from_url("https://acme-admin.oktapreview.com").url == (
        "https://acme.oktapreview.com"
    )
    assert org_from_url("https://acme-admin.okta-emea.com").url == (
        "https://acme.okta-emea.com"
    )


def test_a_custom_domain_ending_in_admin_is_left_alone() -> None:
    org = org_from_url("https://login-admin.example.com")

    assert org.url == "https://login-admin.example.com"
    assert org.notes == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8443"]
)
def test_plain_http_is_accepted_for_loopback_addresses(url: str) -> None:
    assert org_from_url(url).url == url


def test_plain_http_to_another_host_is_refused() -> None:
    with pytest.raises(ConfigError, match="not encrypted; use https://acme.okta.com"):
        org_from_url("http://acme.okta.com")


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ConfigError, match="must start with https://"):
        org_from_url("ftp://acme.okta.com")


def test_a_missing_org_url_names_the_option_and_the_variable() -> None:
    with pytest.raises(ConfigError, match="--org-url.*OKTA_CLIENT_ORGURL"):
        org_from_url(None)
    with pytest.raises(ConfigError):
        org_from_url("   ")


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as raised:
        org_from_url("https://admin:hunter2secret@acme.okta.com")

    assert "hunter2secret" not in str(raised.value)
    assert "acme.okta.com" in str(raised.value)


def test_a_malformed_port_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid URL"):
        org_from_url("https://acme.okta.com:notaport")


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.5")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("acme.okta.com")


def test_the_user_agent_names_okta2hrmos_and_its_version() -> None:
    from okta2hrmos import __version__

    assert USER_AGENT.startswith(f"okta2hrmos/{__version__} ")
