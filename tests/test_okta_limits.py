"""Rate-limit arithmetic: reading the headers, pacing, waiting after a 429."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from okta2hrmos.okta.limits import (
    BACKOFF_MAX,
    MAX_RATE_WAIT,
    RESERVE,
    Bucket,
    Pacer,
    backoff,
    bucket_key,
    read_bucket,
    wait_after_429,
)
from tests.fakeokta import FakeClock

DATE = 1_700_000_000


def headers(limit: int, remaining: int, reset: int, date: int = DATE) -> httpx.Headers:
    return httpx.Headers(
        {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(reset),
            "Date": email.utils.formatdate(date, usegmt=True),
        }
    )


def bucket(limit: int, remaining: int, reset_in: float, at: float = 0.0) -> Bucket:
    return Bucket(limit, remaining, DATE + reset_in, DATE, seen_at=at)


def test_the_headers_are_read_with_the_servers_date() -> None:
    found = read_bucket(headers(600, 599, DATE + 60), seen_at=1.2)

    assert found == Bucket(600, 599, DATE + 60, DATE, seen_at=1.2)
    assert not found.concurrency


def test_repeated_headers_count_by_their_smallest_value() -> None:
    raw = headers(600, 10, DATE + 60)
    raw = httpx.Headers(
        [
            *raw.multi_items(),
            ("X-Rate-Limit-Remaining", "3"),
            ("X-Rate-Limit-Limit", "300"),
        ]
    )

    found = read_bucket(raw, 0)

    assert (found.limit, found.remaining) == (300, 3)


def test_missing_or_broken_headers_mean_no_bucket() -> None:
    assert read_bucket(httpx.Headers({}), 0) is None
    broken = headers(600, 1, DATE + 60)
    broken["Date"] = "yesterday"
    assert read_bucket(broken, 0) is None


def test_a_429_waits_until_the_reset_by_the_servers_clock() -> None:
    refused = read_bucket(headers(600, 0, DATE + 3), 0)

    assert wait_after_429(refused, jitter=0.0) == 3.0
    assert wait_after_429(refused, jitter=0.999) == pytest.approx(3.999)


def test_the_wait_is_bounded_when_the_reset_is_far_or_past() -> None:
    assert wait_after_429(bucket(600, 0, 3600), 0.0) == MAX_RATE_WAIT
    assert wait_after_429(bucket(600, 0, -5), 0.0) == 0.0
    assert wait_after_429(None, 0.5) is None


def test_the_concurrency_form_of_429_is_recognised() -> None:
    assert bucket(0, 0, 5).concurrency
    assert not bucket(600, 0, 5).concurrency


def test_full_speed_while_more_than_the_reserve_is_left() -> None:
    pacer = Pacer(FakeClock())
    pacer.observe("api/v1/users", bucket(600, 31, 50))

    assert RESERVE == 0.05
    assert pacer.delay("api/v1/users") == 0.0
    assert pacer.delay("api/v1/groups") == 0.0


def test_at_the_reserve_the_client_waits_for_the_reset_and_then_not_at_all() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    pacer.observe("users", bucket(600, 30, 12))

    assert pacer.delay("users") == pytest.approx(12)
    clock.sleep(12)
    assert pacer.delay("users") == 0.0


def test_the_wait_counts_from_the_servers_date_not_from_now() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    pacer.observe("users", bucket(300, 0, 20, at=0.0))
    clock.elapsed = 5.0

    assert pacer.delay("users") == pytest.approx(15)


def test_the_servers_clock_is_learnt_below_the_second_from_several_dates() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    # The server's clock is 0.7 s past DATE when we first look: Date says DATE.
    pacer.observe("users", Bucket(300, 0, DATE + 10, DATE, seen_at=0.0))
    assert pacer.delay("users") == pytest.approx(10)
    # 0.4 s later the server's second has turned: Date says DATE + 1.
    clock.elapsed = 0.4
    pacer.observe("users", Bucket(300, 0, DATE + 10, DATE + 1, seen_at=0.4))

    # Server time is now known to be at least DATE + 1, not DATE + 0.4.
    assert pacer.delay("users") == pytest.approx(9)


def test_a_small_window_is_used_to_its_last_request() -> None:
    pacer = Pacer(FakeClock())
    pacer.observe("users", bucket(10, 1, 30))

    assert pacer.delay("users") == 0.0
    pacer.observe("users", bucket(10, 0, 30))
    assert pacer.delay("users") == pytest.approx(30)


def test_a_refused_request_empties_the_bucket() -> None:
    pacer = Pacer(FakeClock())
    pacer.observe("users", bucket(600, 400, 30))

    pacer.refused("users")

    assert pacer.delay("users") == pytest.approx(30)


def test_backoff_doubles_and_is_bounded() -> None:
    assert backoff(0, 0.0) == 0.5
    assert backoff(1, 0.0) == 1.0
    assert backoff(3, 0.0) == 4.0
    assert backoff(20, 0.999) <= BACKOFF_MAX * 1.5


def test_bucket_keys_follow_okta_endpoints() -> None:
    assert bucket_key("/api/v1/users") == "api/v1/users"
    assert bucket_key("/api/v1/apps/0oa1/users") == "api/v1/apps"
    assert bucket_key("/oauth2/v1/token") == "oauth2/v1/token"
