"""Requests to one Okta org: authentication, pacing, retries, paging, errors.

Every request goes to the configured org and nowhere else: redirects are not
followed and a ``next`` link to another host stops the export, so the token
is never sent anywhere but the org.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import OktaError
from .auth import Credentials
from .connection import TIMEOUT, USER_AGENT, Org, origin_of
from .failures import Context, describe_failure, describe_unreachable, endpoint_of
from .limits import (
    MAX_THROTTLED_TRIES,
    MAX_TRANSIENT_TRIES,
    Clock,
    Pacer,
    backoff,
    bucket_key,
    read_bucket,
    wait_after_429,
)

PAGE_SIZE = 200
MAX_AUTH_RETRIES = 2

# Called with the seconds about to be waited and why ("for Okta's rate limit").
OnWait = Callable[[float, str], None]


@dataclass
class Stats:
    """What the client did, for the summary and the benchmark."""

    requests: int = 0
    pages: int = 0
    throttled: int = 0
    retried: int = 0
    waits: int = 0
    waited: float = 0.0


class OktaClient:
    """Send requests to one Okta org and read its answers."""

    def __init__(
        self,
        org: Org,
        credentials: Credentials,
        *,
        context: Context | None = None,
        clock: Clock | None = None,
        jitter: Callable[[], float] = random.random,
        timeout: httpx.Timeout = TIMEOUT,
        on_wait: OnWait | None = None,
    ) -> None:
        self.org = org
        self.credentials = credentials
        self.context = context or Context(org_url=org.url)
        self.clock = clock or Clock()
        self.stats = Stats()
        self._jitter = jitter
        self._on_wait = on_wait
        self._pacer = Pacer(self.clock)
        self._ahead = threading.local()
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
        )

    def __enter__(self) -> OktaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """GET one resource of the org; the caller reads the status."""
        return self._send("GET", self._url(path, params))

    def pages(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page of a list, following ``next`` links exactly as given.

        The next page is asked for as soon as a page's headers are in, so
        reading a page's users overlaps the wait for the next one; there is
        still only one request in flight at a time. A page is handed over
        only once the next request is on the wire (or waiting), because
        reading JSON holds the interpreter and would hold up the request.
        """
        url = self._url(path, {"limit": str(PAGE_SIZE), **(params or {})})
        requested = {url}
        pending: _Ahead | None = _Ahead(self, url)
        while pending is not None:
            response = pending.result()
            pending = None
            link = response.links.get("next", {}).get("url")
            if link:
                url = self._next_url(response, link, requested)
                requested.add(url)
                pending = _Ahead(self, url)
                pending.idle.wait(timeout=1.0)
            self.stats.pages += 1
            yield self._page_body(response)

    def failure(
        self, response: httpx.Response, method: str, tries: int = 1
    ) -> OktaError:
        """Turn an error answer into an OktaError whose message holds no secret."""
        return OktaError(
            self._redact(describe_failure(response, method, self.context, tries))
        )

    def _url(self, path: str, params: Mapping[str, str] | None) -> str:
        url = httpx.URL(f"{self.org.url}{path}")
        if params:
            url = url.copy_merge_params(dict(params))
        return str(url)

    def _send(
        self,
        method: str,
        url: str,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
    ) -> httpx.Response:
        """Send one request, pacing, waiting and retrying as Okta's answers ask."""
        if origin_of(url) != self.org.origin:
            raise OktaError(
                f"Refusing to send a request to {httpx.URL(url).host}, which is not "
                f"the Okta org {self.org.url}."
            )
        key = bucket_key(httpx.URL(url).path)
        throttled = transient = unauthorized = 0
        request_id = ""
        while True:
            self._wait(self._pacer.delay(key), "for Okta's rate limit")
            sent_headers = dict(headers or {})
            if authenticate:
                sent_headers.update(self.credentials.headers(method, url, self._post))
            if request_id:
                sent_headers["X-Okta-Retry-For"] = request_id
                sent_headers["X-Okta-Retry-Count"] = str(throttled + transient)

            self.stats.requests += 1
            try:
                response = self._http.request(
                    method,
                    url,
                    data=data,
                    headers=sent_headers,
                    extensions={"trace": self._trace},
                )
            except httpx.TransportError as error:
                transient += 1
                if transient >= MAX_TRANSIENT_TRIES or not _worth_retrying(error):
                    raise OktaError(
                        self._redact(
                            describe_unreachable(
                                error, method, url, self.context, transient
                            )
                        )
                    ) from None
                self.stats.retried += 1
                self._wait(
                    backoff(transient - 1, self._jitter()), "after a network error"
                )
                continue
            bucket = read_bucket(response.headers, self.clock.now())
            self._pacer.observe(key, bucket)
            request_id = response.headers.get("X-Okta-Request-Id", request_id)

            status = response.status_code
            if status == 429:
                throttled += 1
                self.stats.throttled += 1
                if throttled >= MAX_THROTTLED_TRIES:
                    raise self.failure(response, method, throttled)
                self._pacer.refused(key)
                wait = wait_after_429(bucket, self._jitter())
                if wait is None:
                    wait = backoff(throttled - 1, self._jitter())
                reason = (
                    "for Okta's concurrent-request limit"
                    if bucket is not None and bucket.concurrency
                    else "for Okta's rate limit"
                )
                self.stats.retried += 1
                self._wait(wait, reason)
                continue
            if status >= 500:
                transient += 1
                if transient >= MAX_TRANSIENT_TRIES:
                    raise self.failure(response, method, transient)
                self.stats.retried += 1
                self._wait(
                    backoff(transient - 1, self._jitter()), f"after HTTP {status}"
                )
                continue
            if (
                status == 401
                and authenticate
                and unauthorized < MAX_AUTH_RETRIES
                and self.credentials.retry_unauthorized(response)
            ):
                unauthorized += 1
                continue
            if 300 <= status < 400:
                raise OktaError(
                    f"Okta answered {endpoint_of(method, url)} with a redirect "
                    f"(HTTP {status}); check that {self.org.url} is the org's own "
                    "address, not a sign-in page or proxy."
                )
            return response

    def _page(self, url: str) -> httpx.Response:
        response = self._send("GET", url)
        if response.status_code != 200:
            raise self.failure(response, "GET")
        return response

    def _post(
        self, url: str, data: dict[str, str], headers: dict[str, str]
    ) -> httpx.Response:
        return self._send("POST", url, data=data, headers=headers, authenticate=False)

    def _wait(self, seconds: float, reason: str) -> None:
        if seconds <= 0:
            return
        self.stats.waits += 1
        self.stats.waited += seconds
        if self._on_wait is not None:
            self._on_wait(seconds, reason)
        self._idle()
        self.clock.sleep(seconds)

    def _trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("send_request_body.complete"):
            self._idle()

    def _idle(self) -> None:
        """Tell a page fetched ahead that its thread now only waits (see pages)."""
        idle = getattr(self._ahead, "idle", None)
        if idle is not None:
            idle()

    def _page_body(self, response: httpx.Response) -> list[dict[str, Any]]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, list) or not all(isinstance(r, dict) for r in body):
            raise OktaError(
                f"Okta answered {endpoint_of('GET', response.request.url)} with "
                "something that is not a list of users; check that "
                f"{self.org.url} is the Okta org itself, not a proxy or sign-in page."
            )
        return body

    def _next_url(
        self, response: httpx.Response, link: str, requested: set[str]
    ) -> str:
        endpoint = endpoint_of("GET", response.request.url)
        try:
            joined = response.request.url.join(link)
            url = str(joined)
            origin = origin_of(url)
        except (httpx.InvalidURL, ValueError):
            raise OktaError(
                f"Okta's next-page link for {endpoint} is not a valid URL; the export "
                "stopped. Try again, and if it repeats give Okta support the "
                "X-Okta-Request-Id "
                f"{response.headers.get('X-Okta-Request-Id', '(none)')}."
            ) from None
        if joined.userinfo:
            raise OktaError(
                f"Okta's next-page link for {endpoint} carries a user name or "
                "password; the export stopped rather than send other credentials."
            )
        if origin != self.org.origin:
            raise OktaError(
                f"Okta's next-page link for {endpoint} points to "
                f"{httpx.URL(url).host}, not to {self.org.url}; the export stopped "
                "so the credentials are not sent there."
            )
        if url in requested:
            raise OktaError(
                f"Okta gave the same next-page link twice for {endpoint}; the "
                "export stopped rather than loop. Try again, and if it repeats give "
                "Okta support the X-Okta-Request-Id "
                f"{response.headers.get('X-Okta-Request-Id', '(none)')}."
            )
        return url

    def _redact(self, text: str) -> str:
        for secret in self.credentials.secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text


class _Ahead:
    """One page fetched in a daemon thread, so an interrupted export exits at once."""

    def __init__(self, client: OktaClient, url: str) -> None:
        self.idle = threading.Event()
        self._response: httpx.Response | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(client, url), daemon=True
        )
        self._thread.start()

    def _run(self, client: OktaClient, url: str) -> None:
        client._ahead.idle = self.idle.set
        try:
            self._response = client._page(url)
        except BaseException as error:  # handed to the caller in result()
            self._error = error
        finally:
            self.idle.set()

    def result(self) -> httpx.Response:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._response is not None
        return self._response


def _worth_retrying(error: httpx.TransportError) -> bool:
    """A refused certificate or a malformed URL will not get better by trying again."""
    if isinstance(error, httpx.UnsupportedProtocol):
        return False
    return "CERTIFICATE_VERIFY_FAILED" not in str(error)
