"""ingest.http.HttpClient against the fake GitHub server over real HTTP on 127.0.0.1.

Pagination, conditional requests, each fault kind (5xx, timeouts, dropped connections,
truncated JSON, primary/secondary rate limits, 429 retry-after), the client errors, bounded
concurrency and keeping the token out of every message. Waits run on a virtual clock.
"""
from __future__ import annotations

import threading

import pytest
from fakes.common import VirtualClock
from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer

from ingest.http import (
    AuthRejected,
    HttpClient,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RequestFailed,
    RetryPolicy,
    parse_link_header,
    rate_limit_delay,
)

POLICY = RetryPolicy(attempts=4, base_delay=2.0, max_delay=5.0, secondary_wait=60.0)
ISSUES = "/repos/acme/app/issues"


@pytest.fixture
def github() -> FakeGitHub:
    github = FakeGitHub(page_size=2)
    repo = github.repo("acme/app")
    for number in range(1, 6):
        repo.issue(number, created=f"2024-03-0{number}T10:00:00Z")
    return github


@pytest.fixture
def server(github: FakeGitHub):
    with FakeGitHubServer(github) as server:
        yield server


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def client_for(server: FakeGitHubServer, clock: VirtualClock, notices: list[str] | None = None,
               token: str = TOKEN, **options) -> HttpClient:
    sink = notices.append if notices is not None else (lambda message: None)
    return HttpClient(server.url, token=token, token_name="GITHUB_TOKEN", policy=POLICY, sleep=clock.sleep,
                      clock=clock.time, jitter=lambda: 0.5, on_notice=sink, **options)


def numbers(pages) -> list[int]:
    return [item["number"] for page in pages for item in page.data]


def test_link_header_parsing_takes_each_relation():
    header = ('<https://api.github.com/repositories/1/issues?per_page=3&page=2>; rel="next", '
              '<https://api.github.com/repositories/1/issues?per_page=3&page=5>; rel="last"')
    assert parse_link_header(header) == {
        "next": "https://api.github.com/repositories/1/issues?per_page=3&page=2",
        "last": "https://api.github.com/repositories/1/issues?per_page=3&page=5"}
    assert parse_link_header("") == {}


def test_pages_follow_the_link_header_to_the_last_page(server, github, clock):
    with client_for(server, clock) as client:
        pages = list(client.pages(ISSUES, params={"state": "all", "per_page": 100}))
    assert len(pages) == 3
    assert numbers(pages) == [5, 4, 3, 2, 1]
    assert [entry.path for entry in github.requests()] == [
        "/repos/acme/app/issues?state=all&per_page=100",
        "/repos/acme/app/issues?state=all&per_page=100&page=2",
        "/repos/acme/app/issues?state=all&per_page=100&page=3"]
    assert client.stats.requests == 3


def test_a_conditional_request_is_answered_304_without_data(server, github, clock):
    with client_for(server, clock) as client:
        first = client.get("/repos/acme/app")
        again = client.get("/repos/acme/app", etag=first.etag)
        github.repos["acme/app"].default_branch = "trunk"
        changed = client.get("/repos/acme/app", etag=first.etag)
    assert first.etag.startswith('W/"')
    assert (again.status, again.data, again.not_modified) == (304, None, True)
    assert changed.data["default_branch"] == "trunk"
    assert (client.stats.requests, client.stats.not_modified) == (3, 1)


def test_get_all_keeps_an_etag_only_for_a_single_page_list(server, github, clock):
    with client_for(server, clock) as client:
        several = client.get_all(ISSUES, params={"state": "all"})
        single = client.get_all("/repos/acme/app/pulls")   # no pull requests: one empty page
        unchanged = client.get_all("/repos/acme/app/pulls", etag=single.etag)
    assert (len(several.items), several.pages, several.etag) == (5, 3, None)
    assert single.items == [] and single.etag is not None
    assert unchanged.not_modified and unchanged.items is None


def test_server_errors_are_retried_with_growing_backoff(server, github, clock):
    github.fault("^/repos/acme/app$", "status", status=502, times=2)
    notices: list[str] = []
    with client_for(server, clock, notices) as client:
        response = client.get("/repos/acme/app")
    assert response.data["full_name"] == "acme/app"
    # base 2 s doubled, the jitter (0.5 here) taking 75 % of each ceiling: 1.5 s then 3 s.
    assert clock.slept == [1.5, 3.0]
    assert client.stats.retries == 2 and client.stats.requests == 3
    assert "502 Bad Gateway; retrying in 1.5 s (attempt 2 of 4)" in notices[0]


def test_backoff_is_bounded_and_gives_up_naming_the_url(server, github, clock):
    github.fault("^/repos/acme/app$", "status", status=503, times=None)
    with client_for(server, clock) as client, pytest.raises(RequestFailed) as failure:
        client.get("/repos/acme/app")
    assert str(failure.value) == (f"GET {server.url}/repos/acme/app: 503 Service Unavailable "
                                  f"(gave up after 4 attempts)")
    assert clock.slept == [1.5, 3.0, 3.75]          # the third ceiling is capped at max_delay 5 s
    assert client.stats.requests == 4


def test_a_timeout_is_retried(server, github, clock):
    github.fault("^/repos/acme/app$", "delay", seconds=2.0)
    with client_for(server, clock, timeout=0.3) as client:
        response = client.get("/repos/acme/app")
    assert response.status == 200
    assert client.stats.retries == 1


def test_a_dropped_connection_is_retried(server, github, clock):
    github.fault("^/repos/acme/app$", "drop")
    notices: list[str] = []
    with client_for(server, clock, notices) as client:
        response = client.get("/repos/acme/app")
    assert response.data["name"] == "app"
    assert client.stats.retries == 1
    assert "connection dropped" in notices[0]


def test_truncated_json_is_retried_then_named(server, github, clock):
    github.fault("page=2", "truncate", times=1)
    with client_for(server, clock) as client:
        pages = list(client.pages(ISSUES, params={"state": "all"}))
    assert numbers(pages) == [5, 4, 3, 2, 1]
    assert client.stats.retries == 1

    github.fault("page=2", "truncate", times=None)
    with client_for(server, clock) as client, pytest.raises(MalformedResponse) as failure:
        list(client.pages(ISSUES, params={"state": "all"}))
    assert str(failure.value).startswith(f"GET {server.url}/repos/acme/app/issues?state=all&page=2: "
                                         f"the response is not valid JSON (gave up after 4 attempts)")


def test_the_primary_rate_limit_is_waited_out_until_its_reset(server, github, clock):
    github.fault("^/repos/acme/app$", "primary_limit", seconds=120)
    notices: list[str] = []
    with client_for(server, clock, notices) as client:
        response = client.get("/repos/acme/app")
    assert response.status == 200
    assert len(clock.slept) == 1 and 119 <= clock.slept[0] <= 122   # reset (+120 s) plus one second
    assert client.stats.rate_limit_waits == 1 and client.stats.retries == 0
    assert notices[0].startswith(f"rate limit exhausted on GET {server.url}/repos/acme/app: waiting 12")


def test_retry_after_is_honoured(server, github, clock):
    github.fault("^/repos/acme/app$", "retry_after", seconds=30)
    with client_for(server, clock) as client:
        client.get("/repos/acme/app")
    assert clock.slept == [30.0]
    assert client.stats.rate_limit_waits == 1


def test_a_secondary_rate_limit_without_retry_after_waits_a_minute(server, github, clock):
    github.fault("^/repos/acme/app$", "secondary_limit")
    notices: list[str] = []
    with client_for(server, clock, notices) as client:
        client.get("/repos/acme/app")
    assert clock.slept == [60.0]
    assert notices[0].startswith("secondary rate limit on GET")


def test_a_used_up_budget_pauses_before_the_next_request(server, github, clock):
    github.remaining = 1
    github.reset_at = int(clock.time()) + 300
    with client_for(server, clock) as client:
        client.get("/repos/acme/app")           # answered with remaining 0
        client.get("/repos/acme/app")           # waits for the reset first
    assert len(clock.slept) == 1 and 299 <= clock.slept[0] <= 302
    assert client.stats.requests == 2


def test_rate_limit_signals_are_told_apart_from_a_missing_permission():
    import httpx
    policy = RetryPolicy()
    now = 1_700_000_000.0
    exhausted = httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 10)})
    assert rate_limit_delay(403, exhausted, "", now, policy) == (11.0, "rate limit exhausted")
    assert rate_limit_delay(429, httpx.Headers({"retry-after": "7"}), "", now, policy)[0] == 7.0
    # PagerDuty-style reset (seconds from now) and GitLab's RateLimit-* names.
    gitlab = httpx.Headers({"ratelimit-remaining": "0", "ratelimit-reset": "20"})
    assert rate_limit_delay(429, gitlab, "", now, policy)[0] == 21.0
    permission = httpx.Headers({"x-ratelimit-remaining": "4999"})
    assert rate_limit_delay(403, permission, '{"message": "Resource not accessible"}', now, policy) is None
    assert rate_limit_delay(500, exhausted, "", now, policy) is None


def test_a_rejected_token_is_one_line_naming_the_url_without_the_token(server, clock):
    wrong = "ghp_wrong0token0000000000000000000000"
    with client_for(server, clock, token=wrong) as client, pytest.raises(AuthRejected) as failure:
        client.get("/repos/acme/app")
    assert str(failure.value) == f"GET {server.url}/repos/acme/app: 401 Bad credentials: GITHUB_TOKEN was rejected"
    assert client.stats.retries == 0


def test_a_missing_permission_is_not_retried(server, github, clock):
    github.fault("actions/runs", "forbidden", times=None)
    with client_for(server, clock) as client, pytest.raises(PermissionDenied) as failure:
        client.get("/repos/acme/app/actions/runs")
    assert str(failure.value) == (f"GET {server.url}/repos/acme/app/actions/runs: 403 Resource not accessible "
                                  f"by personal access token: GITHUB_TOKEN lacks a permission")
    assert clock.slept == []


def test_not_found_is_raised_unless_allowed(server, clock):
    with client_for(server, clock) as client:
        with pytest.raises(NotFound):
            client.get("/repos/acme/nope")
        allowed = client.get("/repos/acme/nope", allow=(404,))
    assert (allowed.status, allowed.data["message"]) == (404, "Not Found")


def test_the_token_is_scrubbed_from_messages(server, clock):
    with client_for(server, clock) as client, pytest.raises(NotFound) as failure:
        client.get(f"/repos/acme/nope?note={TOKEN}")
    assert TOKEN not in str(failure.value)
    assert "note=[token]" in str(failure.value)


def test_links_outside_the_api_origin_are_refused(server, clock):
    with client_for(server, clock) as client, pytest.raises(RequestFailed) as failure:
        client.get("https://elsewhere.example/steal?page=2")
    assert "outside the API" in str(failure.value)
    assert client.stats.requests == 0


def test_requests_in_flight_stay_within_the_bound(server, github, clock):
    github.fault("^/repos/acme/app$", "delay", seconds=0.2, times=None)
    with client_for(server, clock, max_in_flight=3) as client:
        threads = [threading.Thread(target=client.get, args=("/repos/acme/app",)) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert github.max_in_flight == 3
    assert client.stats.requests == 12
