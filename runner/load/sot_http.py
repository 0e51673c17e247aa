"""JSON over HTTP(S) to NetBox or Nautobot, with the standard library only.

Kind to the server and clear to the user: a 429 or 5xx (or a dropped connection) is tried
again, ATTEMPTS times in all, after a pause that grows (a Retry-After within MAX_PAUSE is
honoured); 401/403/404 and a server that stays down end in one LoadError line (exit 2)
naming the URL and what to check. The token goes in the Authorization header and nowhere
else: no message, log line or exception here ever holds it.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from runner.base.errors import LoadError
from runner.load.sot_spec import SourceSpec

log = logging.getLogger(__name__)

ATTEMPTS = 3
PAUSE = 0.5  # seconds before the 2nd attempt, doubled before each next one
MAX_PAUSE = 10.0
TIMEOUT = 60.0  # seconds for one page: 1,000 devices with their config contexts
PARALLEL = 4  # requests of ours a server sees at once, at most (pages, context questions)
_RETRY = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Client:
    spec: SourceSpec
    token: str = field(repr=False)
    context: ssl.SSLContext | None = field(default=None, repr=False)

    def get(self, path: str, query: dict[str, Any]) -> Any:
        url = f"{self.spec.url}{path}?{urllib.parse.urlencode(query, doseq=True)}"
        return self._send(urllib.request.Request(url, headers=self._headers()))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {**self._headers(), "Content-Type": "application/json"}
        data = json.dumps(body).encode()
        url = f"{self.spec.url}{path}"
        return self._send(urllib.request.Request(url, data=data, headers=headers, method="POST"))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", "Accept": "application/json"}

    def _send(self, request: urllib.request.Request) -> Any:
        url = request.full_url.split("?")[0]
        pause = PAUSE
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            wait = pause
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT, context=self.context) as r:
                    return _json(r.read(), url, self.spec)
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRY:
                    raise _refusal(exc.code, url, self.spec) from None
                problem = f"HTTP {exc.code}"
                wait = _retry_after(exc.headers.get("Retry-After"), pause)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, ssl.SSLError):
                    raise _tls(reason, url, self.spec) from None
                problem = f"cannot connect ({reason})"
            if attempt < ATTEMPTS:
                log.info("%s: %s; trying again in %.1f s", url, problem, wait)
                time.sleep(wait)
                pause *= 2
        raise LoadError(
            f"{self.spec.path}: url: {url}: {problem}, {ATTEMPTS} times; check that "
            f"{self.spec.kind} is up at {self.spec.url} and try again",
            path=self.spec.path,
            key="url",
        )


def _retry_after(value: str | None, pause: float) -> float:
    try:
        return min(MAX_PAUSE, max(0.0, float(value))) if value else pause
    except ValueError:  # an HTTP date: not worth parsing, the default pause will do
        return pause


def _json(data: bytes, url: str, spec: SourceSpec) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise LoadError(
            f"{spec.path}: url: {url} did not answer JSON; check that url: is the "
            f"{spec.kind} server's root (as https://{spec.kind}.example.net)",
            path=spec.path,
            key="url",
        ) from None


def _refusal(code: int, url: str, spec: SourceSpec) -> LoadError:
    if code in (401, 403):
        what = (
            f"the server refused the token in ${spec.token_env} (HTTP {code}); check that "
            "it is valid, not expired, and may read devices"
        )
    elif code == 404:
        what = (
            f"not found (HTTP 404); check that url: is the {spec.kind} server's root "
            f"(as https://{spec.kind}.example.net), not one of its pages"
        )
    else:
        what = f"HTTP {code}; check the server's log"
    return LoadError(f"{spec.path}: url: {url}: {what}", path=spec.path, key="url")


def _tls(reason: ssl.SSLError, url: str, spec: SourceSpec) -> LoadError:
    return LoadError(
        f"{spec.path}: url: {url}: TLS failed ({reason.reason or reason}); give the CA that "
        "signed the server's certificate as ca_file:, or set verify_tls: false on a lab",
        path=spec.path,
        key="url",
    )


def tls_context(spec: SourceSpec) -> ssl.SSLContext | None:
    """None for http://; verification on unless the file turns it off."""
    if not spec.url.startswith("https://"):
        return None
    if not spec.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(
            cafile=None if spec.ca_file is None else str(spec.ca_file)
        )
    except (OSError, ssl.SSLError) as exc:
        raise LoadError(
            f"{spec.path}: ca_file: cannot read {spec.ca_file} as PEM certificates ({exc})",
            path=spec.path,
            key="ca_file",
        ) from None
