"""okta2hrmos: move people from Okta into HRMOS CORE through its file import."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("okta2hrmos")
except PackageNotFoundError:
    __version__ = "0.0.0+unknown"
