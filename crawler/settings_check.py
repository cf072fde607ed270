"""`-s NAME=VALUE` checked before a crawl starts (issue 16): a mistyped govcrawl setting or a
value that is not of the setting's kind is one line and a usage error, not a silently ignored
name or 54 lines of traceback with the cause last.

Kinds come from the defaults: govcrawl's (crawler/settings.py) and Scrapy's own.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

from scrapy.settings import default_settings

from crawler import settings as govcrawl_settings

_BOOLEANS = {"0", "1", "true", "false", "True", "False"}
# govcrawl settings whose negative values mean something (-1 workers: one per core but one)
_NEGATIVE_OK = {"GOVCRAWL_PROCESS_WORKERS"}


def _defaults() -> dict[str, object]:
    names = {name: getattr(default_settings, name) for name in dir(default_settings) if name.isupper()}
    names.update({name: getattr(govcrawl_settings, name) for name in dir(govcrawl_settings) if name.isupper()})
    return names


def setting_problem(name: str, value: str) -> str | None:
    """Why `-s name=value` cannot be used, or None."""
    defaults = _defaults()
    if name not in defaults:
        if name.startswith("GOVCRAWL_"):
            ours = [n for n in defaults if n.startswith("GOVCRAWL_")]
            close = difflib.get_close_matches(name, ours, n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(sorted(ours))})"
            return f"unknown govcrawl setting {name}{hint}"
        return None  # a setting of Scrapy or of an extension: Scrapy decides
    default = defaults[name]
    if isinstance(default, bool):
        return None if value in _BOOLEANS else f"{name} is true or false (1/0), not {value!r}"
    if isinstance(default, (int, float)):
        kind = "a whole number" if isinstance(default, int) else "a number"
        try:
            number = int(value) if isinstance(default, int) else float(value)
        except ValueError:
            return f"{name} is {kind} (default {default}), not {value!r}"
        if number < 0 and name not in _NEGATIVE_OK:
            return f"{name} must not be negative (default {default}), not {value!r}"
    return None


def overrides_problem(overrides: Iterable[tuple[str, str]]) -> str | None:
    """The first problem of the command line's -s overrides, as `-s NAME=VALUE: problem`."""
    for name, value in overrides:
        if (problem := setting_problem(name, value)) is not None:
            return f"-s {name}={value}: {problem}"
    return None
