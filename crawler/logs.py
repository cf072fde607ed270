"""A quiet log at default verbosity (issue 16): one line per failed host, no tracebacks.

An unreachable portal used to print about 78 lines (a robots.txt traceback, each start point's
"Gave up retrying" and failure): an offline `govcrawl crawl` printed 2,888. Without `-v`:

* tracebacks of Scrapy's download errors are left out (the message line stays);
* of the per-request failure lines (Scrapy's retry and robots.txt middlewares, the spider's
  failure warnings), the first one of each host is logged, then "… further failures of HOST are in
  the run report (-v shows them)"; every failure is still a row of the run's failures.
"""
from __future__ import annotations

import logging
import re
import sys

# the loggers that write one line per failed request
PER_REQUEST = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt",
               "crawler.spiders.portal", "scrapy.core.scraper")
_HOST = re.compile(r"https?://([^/\s>]+)")


class OneLinePerHost(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.hosts: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None  # the message says what failed; -v shows the traceback
        record.exc_text = None
        if record.levelno < logging.WARNING or record.levelno >= logging.CRITICAL:
            return True
        found = _HOST.search(record.getMessage())
        if found is None:
            return True
        host = found.group(1)
        if host in self.hosts:
            return False
        self.hosts.add(host)
        record.msg = f"{record.getMessage()} (further failures of {host} are in the run report; -v shows them)"
        record.args = ()
        return True


def quiet_per_request_failures() -> OneLinePerHost:
    """Install the filter on the per-request loggers (removed again by `remove`)."""
    quiet = OneLinePerHost()
    for name in PER_REQUEST:
        logging.getLogger(name).addFilter(quiet)
    return quiet


def remove(quiet: OneLinePerHost) -> None:
    for name in PER_REQUEST:
        logging.getLogger(name).removeFilter(quiet)


# Scrapy says it is stopping at INFO, which the default verbosity (WARNING) hides: a Ctrl-C then
# seemed to do nothing for as long as the pages in flight took.
STOPPING = {
    "shutting down gracefully": "govcrawl: stopping: the pages in flight are stored, the run is recorded as "
                                "interrupted and the next run resumes it; Ctrl-C again to stop at once",
    "forcing unclean shutdown": "govcrawl: stopping at once: pages in flight are not stored "
                                "(the next run fetches them again)",
}


class AnnounceStop(logging.Handler):
    """Writes one line to stderr when Scrapy starts to stop on a signal, whatever the log level."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for needle, line in STOPPING.items():
            if needle in message:
                print(line, file=sys.stderr, flush=True)


def announce_stop() -> AnnounceStop:
    """Install the handler on Scrapy's crawler logger (removed again by `remove_announcer`)."""
    handler = AnnounceStop()
    logging.getLogger("scrapy.crawler").addHandler(handler)
    return handler


def remove_announcer(handler: AnnounceStop) -> None:
    logging.getLogger("scrapy.crawler").removeHandler(handler)
