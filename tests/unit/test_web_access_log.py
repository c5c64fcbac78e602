"""The access log's line: the route pattern, or the path with digits masked, never a query."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from cic.web.access_log import PrivateAccessLogger, loggable_path


def test_unmatched_paths_lose_their_digits_and_every_query_string() -> None:
    request = make_mocked_request("GET", "/api/nieznane/48600100200/x?number=600100200&q=Jan")
    assert loggable_path(request) == "/api/nieznane/#/x"


def test_one_line_per_request_without_query_referrer_or_agent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = make_mocked_request(
        "GET", "/api/residents/lookup?number=600100200",
        headers={"Referer": "http://x/?q=Kowalski", "User-Agent": "Kowalski-Browser"},
    )  # fmt: skip
    logger = PrivateAccessLogger(logging.getLogger("test.access"), "")
    with caplog.at_level(logging.INFO, "test.access"):
        logger.log(request, web.Response(status=404, text="x"), 0.0125)
    assert caplog.messages == ['- "GET /api/residents/lookup" 404 0 0.013']
