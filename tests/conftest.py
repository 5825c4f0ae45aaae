from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from okta2hrmos.cli import main
from okta2hrmos.okta import commands

from .fakeokta import FakeClock

FIXTURES = Path(__file__).parent / "fixtures"
OKTA_EXAMPLES = FIXTURES / "okta-openapi"
REPOSITORY = Path(__file__).parent.parent


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stdout and stderr apart."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run okta2hrmos with arguments inside tmp_path; return the result."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path):
        return runner.invoke(main, [str(arg) for arg in args], catch_exceptions=False)

    return run


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def write(
        name: str, content: str | bytes, encoding: str = "utf-8", bom: bool = False
    ) -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock the Okta export waits with: waiting takes no real time."""
    fake = FakeClock()
    monkeypatch.setattr(commands, "CLOCK", fake)
    monkeypatch.setattr(commands, "JITTER", lambda: 0.25)
    return fake
