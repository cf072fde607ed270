"""Name why a request failed, in words a morning report can group by."""
from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.scope import PRIVATE_LOOKUP_MARK, OutOfScope, PrivateAddressLookup

def _scrapy(*names: str) -> tuple[type[BaseException], ...]:
    """Scrapy >= 2.13 wraps Twisted's errors in its own classes; older releases lack them."""
    return tuple(getattr(scrapy_errors, n) for n in names if hasattr(scrapy_errors, n))


_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((net.DNSLookupError, *_scrapy("CannotResolveHostError")), "dns"),
    ((net.TimeoutError, net.TCPTimedOutError, *_scrapy("DownloadTimeoutError")), "timeout"),
    ((net.ConnectionRefusedError, net.ConnectError, net.ConnectionLost, ResponseFailed,
      *_scrapy("DownloadConnectionRefusedError", "DownloadFailedError", "ResponseDataLossError")),
     "connection"),
)


# refusals that the next run would meet again: the URL leaves the frontier with its failure
PERMANENT_KINDS = frozenset({"robots", "offsite", "private_address", "redirect", "too_large"})
# how Scrapy words a body over DOWNLOAD_MAXSIZE: announced, received, or inflated past it
TOO_LARGE_MARKS = ("larger than download max size", "exceeded DOWNLOAD_MAXSIZE")


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, reason) for a request failure: http, dns, timeout, connection, robots, tls, offsite,
    private_address, redirect, other."""
    exc = failure.value
    if isinstance(exc, OutOfScope):  # off the portal, a private address, a redirect loop or chain
        return exc.kind, str(exc)
    if isinstance(exc, PrivateAddressLookup) or PRIVATE_LOOKUP_MARK in str(exc):
        return "private_address", f"{type(exc).__name__}: {exc}"
    if any(mark in str(exc) for mark in TOO_LARGE_MARKS):  # Scrapy's DOWNLOAD_MAXSIZE, raw or inflated
        return "too_large", f"{type(exc).__name__}: {exc}"[:300]
    if type(exc).__name__ in ("DownloadCancelledError", "CancelledError") and not str(exc):
        # a body cut off as it passed DOWNLOAD_MAXSIZE (the crawl cancels downloads for nothing else)
        return "too_large", "the body passed DOWNLOAD_MAXSIZE while it was received (download cancelled)"
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http", f"HTTP {status} after retries" if status >= 500 else f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        return ("robots" if "robots" in text.lower() else "ignored"), text or "request ignored"
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind, f"{type(exc).__name__}: {exc}"
    if "SSL" in type(exc).__name__ or "ssl" in str(exc).lower():
        return "tls", f"{type(exc).__name__}: {exc}"
    return "other", f"{type(exc).__name__}: {exc}"
