"""Okta's rate limits: reading the headers, pacing requests, waiting after a 429.

Every Okta response says, for the bucket the request counted against, how
many requests the window allows (``X-Rate-Limit-Limit``), how many are left
(``X-Rate-Limit-Remaining``) and when the window starts again
(``X-Rate-Limit-Reset``, epoch seconds on the server's clock, which the
``Date`` header tells). Requests go at full speed until only a small
reserve of the window's requests is left; then the client waits for the
window to reset. So it never sends a request Okta would refuse for the rate
limit, and the org's other integrations keep the reserve.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

import httpx

# The share of each window's requests left to the org's other integrations.
RESERVE = 0.05
# A window is a minute; a longer wait means the headers are wrong.
MAX_RATE_WAIT = 90.0
# Up to this much is added to a wait after a 429, so clients that were
# refused together do not all come back in the same instant.
JITTER = 1.0
# Tries for one request: after 429s, and after time-outs, lost connections
# and 5xx answers.
MAX_THROTTLED_TRIES = 6
MAX_TRANSIENT_TRIES = 5
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 20.0


class Clock:
    """The time and the way to wait; tests give one that does not really sleep."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Bucket:
    """What the last response said about one rate-limit bucket."""

    limit: int
    remaining: int
    reset: float
    server_date: float
    seen_at: float

    @property
    def concurrency(self) -> bool:
        """Okta reports a concurrent-request limit as limit and remaining both 0."""
        return self.limit == 0 and self.remaining == 0


def read_bucket(headers: httpx.Headers, seen_at: float) -> Bucket | None:
    """Read the rate-limit headers of a response; None when they are missing."""
    limit = _smallest(headers, "X-Rate-Limit-Limit")
    remaining = _smallest(headers, "X-Rate-Limit-Remaining")
    reset = _smallest(headers, "X-Rate-Limit-Reset")
    date = _http_date(headers.get("Date"))
    if limit is None or remaining is None or reset is None or date is None:
        return None
    return Bucket(limit, remaining, float(reset), date, seen_at)


def wait_after_429(bucket: Bucket | None, jitter: float) -> float | None:
    """Seconds to wait after a 429: until the reset by the server's clock, bounded.

    ``jitter`` is a number in [0, 1). None means the response did not say
    when the window resets.
    """
    if bucket is None:
        return None
    base = min(max(bucket.reset - bucket.server_date, 0.0), MAX_RATE_WAIT)
    return base + JITTER * jitter


def backoff(attempt: int, jitter: float) -> float:
    """Seconds to wait before try ``attempt + 1`` after a transient failure."""
    return min(BACKOFF_FIRST * 2**attempt, BACKOFF_MAX) * (1 + jitter / 2)


class Pacer:
    """Keeps each bucket's last headers and says how long to wait before a request."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}
        # The server's clock minus ours, never overestimated: a Date header
        # is at or before the moment its response was seen. The largest such
        # difference is the closest, so the sub-second part a single Date
        # header lacks is learnt over a few responses.
        self._skew: float | None = None

    def observe(self, key: str, bucket: Bucket | None) -> None:
        if bucket is not None:
            self._buckets[key] = bucket
            skew = bucket.server_date - bucket.seen_at
            if self._skew is None or skew > self._skew:
                self._skew = skew

    def refused(self, key: str) -> None:
        """Note that Okta refused a request: nothing is left until the reset."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.remaining = 0

    def delay(self, key: str) -> float:
        """Seconds to wait before the next request to a bucket (0 for none)."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.limit <= 0:
            return 0.0
        server_now = self._clock.now() + (self._skew or 0.0)
        left = bucket.reset - server_now
        if left <= 0 or bucket.remaining > reserve(bucket.limit):
            return 0.0
        return min(left, MAX_RATE_WAIT)


def reserve(limit: int) -> int:
    """How many of a window's requests are left to other integrations."""
    return int(limit * RESERVE)


def bucket_key(path: str) -> str:
    """Name the rate-limit bucket a request path most likely counts against."""
    parts = [part for part in path.split("/") if part]
    return "/".join(parts[:3])


def _smallest(headers: httpx.Headers, name: str) -> int | None:
    values = []
    for value in headers.get_list(name, split_commas=True):
        try:
            values.append(int(value.strip()))
        except ValueError:
            continue
    return min(values) if values else None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
