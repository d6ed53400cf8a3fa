"""HTTP calls with timeouts, an API key, and retries with backoff for calls that may be repeated."""

import json
import math
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from .errors import VectorFlowError

#: Statuses after which an idempotent call is tried again: the server was busy or going away.
RETRY_STATUSES = {429, 502, 503, 504}


class Transport:
    """Sends JSON requests to one server; answers are Qdrant's envelope, unwrapped."""

    def __init__(self, url: str, api_key: Optional[str], timeout: float, retries: int, backoff: float):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def call(self, method: str, path: str, body: Any = None, *, timeout: Optional[float] = None,
             idempotent: bool = True, raw: bool = False):
        """The envelope of one call (the whole parsed answer), or the bytes when ``raw``."""
        limit = self.timeout if timeout is None else timeout
        if limit is not None and limit > 0:
            # The server stops the work when its own limit (whole seconds) runs out; the client waits a little longer.
            sep = "&" if "?" in path else "?"
            path = f"{path}{sep}timeout={max(1, math.ceil(limit))}"
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.api_key:
            headers["api-key"] = self.api_key
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=None if limit is None else limit + 1) as answer:
                    payload = answer.read()
                return payload if raw else json.loads(payload or b"null")
            except urllib.error.HTTPError as e:
                error = _error(e)
                if e.code in RETRY_STATUSES and attempt + 1 < attempts:
                    self._sleep(attempt, error.retry_after)
                    continue
                raise error from None
            except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
                reason = getattr(e, "reason", e)
                if isinstance(reason, (socket.timeout, TimeoutError)) or isinstance(e, (socket.timeout, TimeoutError)):
                    raise VectorFlowError(None, f"no answer from {self.url} within {limit} s") from None
                if attempt + 1 < attempts:
                    self._sleep(attempt, None)
                    continue
                raise VectorFlowError(None, f"cannot reach {self.url}: {reason}") from None
        raise AssertionError("unreachable")

    def _sleep(self, attempt: int, retry_after: Optional[float]):
        delay = retry_after if retry_after is not None else self.backoff * (2 ** attempt)
        time.sleep(delay * (0.5 + random.random() / 2) if retry_after is None else delay)


def _error(e: "urllib.error.HTTPError") -> VectorFlowError:
    text = e.read().decode("utf-8", "replace")
    message = text
    try:
        status = json.loads(text).get("status")
        if isinstance(status, dict) and "error" in status:
            message = status["error"]
    except (ValueError, AttributeError):
        pass
    retry = e.headers.get("Retry-After") if e.headers else None
    try:
        retry_after = float(retry) if retry is not None else None
    except ValueError:
        retry_after = None
    return VectorFlowError(e.code, message, retry_after)


def quote(name: str) -> str:
    """A name as one path segment."""
    return urllib.parse.quote(str(name), safe="")
