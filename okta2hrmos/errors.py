"""Errors a user can cause, each ending the run with one clear sentence."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; the message says what and how."""

    exit_code = 2


class InputError(UserError):
    """An input file cannot be used as it is."""


class OutputError(UserError):
    """An output path cannot be written as asked."""


class ConfigError(UserError):
    """An option, template or configuration file is wrong."""


class OktaError(UserError):
    """Okta or the network failed."""

    exit_code = 3
