"""The project configuration file, okta2hrmos.toml, found in the working folder.

It sets, for every run in that folder, the templates to use and column
mappings that override a template's sources:

    templates = ["hrmos-core-employees", "templates/account.toml"]
    encoding = "auto"

    [map]
    "セイ" = "kanaLastName"
    "認証方法" = "const:SSO"

Options on the command line win over the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .csvio import ENCODINGS
from .errors import ConfigError

CONFIG_NAME = "okta2hrmos.toml"

_KEYS = {"templates", "encoding", "map"}


@dataclass
class Config:
    templates: list[str] = field(default_factory=list)
    encoding: str | None = None
    map: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    """Read the configuration file given, or okta2hrmos.toml here if there is one."""
    if path is None:
        path = Path(CONFIG_NAME)
        if not path.is_file():
            return Config()
    elif not path.is_file():
        raise ConfigError(f"The configuration file {path} does not exist.")

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path} is not valid TOML: {error}.") from None

    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{path} has the unknown setting {', '.join(unknown)}; the settings are "
            f"{', '.join(sorted(_KEYS))}."
        )
    templates = document.get("templates", [])
    if isinstance(templates, str):
        templates = [templates]
    if not isinstance(templates, list) or not all(
        isinstance(t, str) for t in templates
    ):
        raise ConfigError(f"{path}: templates must be a list of names or paths.")
    encoding = document.get("encoding")
    if encoding is not None and encoding not in ENCODINGS:
        raise ConfigError(
            f"{path}: encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}."
        )
    mapping = document.get("map", {})
    if not isinstance(mapping, dict) or not all(
        isinstance(v, str) for v in mapping.values()
    ):
        raise ConfigError(f"{path}: [map] must map column headers to sources (text).")

    return Config(
        templates=[_relative_to(path, name) for name in templates],
        encoding=encoding,
        map=dict(mapping),
        path=path,
    )


def _relative_to(config: Path, name: str) -> str:
    """Template paths in the file are relative to the file; names stay names."""
    if name.endswith(".toml") or "/" in name:
        candidate = Path(name)
        return str(candidate if candidate.is_absolute() else config.parent / candidate)
    return name
