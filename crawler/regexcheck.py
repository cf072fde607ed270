"""Registry regexes (`allow`, `deny`) checked at load and bounded in time when they run.

They run on every link of a crawl, on its only thread: one pattern such as `(a+)+$` took 3.4 s
per link (issue 15). Two guards:

* at load, the classic shapes of exponential backtracking are refused with the reason: a repeat
  without upper bound around another one ("star height" above 1, as safe-regex judges it:
  `(a+)+`, `(a*b)*`, `(.*)+`), and around alternatives that can begin with the same character
  (`(.|x)*`, `(a|[ab])+`);
* when they run, patterns are the `regex` module's, with a time bound per URL: a pattern that
  still runs away (a shape the check does not know) gives up on that URL, which is then not
  followed (for `allow` as for `deny`: an undecided link stays out of the crawl); the first
  timeout of each pattern is logged as a warning and every one is counted (`timeouts`).
"""
from __future__ import annotations

import re
import re._constants as sre  # noqa: PLC2701 - the parsed form is the exact reading of a pattern
import re._parser as sre_parse  # noqa: PLC2701
from dataclasses import dataclass, field

import logging

import regex

logger = logging.getLogger(__name__)
MATCH_TIMEOUT_S = 0.05  # per URL and pattern: a sane URL pattern takes microseconds
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
_ANY_CHAR = "any"


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` may backtrack catastrophically, or None when no known shape is in it."""
    return _scan(sre_parse.parse(pattern))


def _scan(parsed) -> str | None:
    for op, av in parsed:
        if op in _REPEATS:
            _, high, body = av
            if high == sre.MAXREPEAT:
                if _repeats(body):
                    return "a repeat holds another repeat (as in (a+)+)"
                if _overlapping_branches(body):
                    return "a repeat holds alternatives that can start alike (as in (.|x)*)"
            children = [body]
        elif op == sre.SUBPATTERN:
            children = [av[-1]]
        elif op == sre.BRANCH:
            children = av[1]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            children = [av[1]]
        else:
            continue
        for child in children:
            if (found := _scan(child)) is not None:
                return found
    return None


def _repeats(parsed) -> bool:
    """`parsed` holds a repeat without upper bound (`+`, `*`, `{2,}`) at any depth."""
    for op, av in parsed:
        if op in _REPEATS and (av[1] == sre.MAXREPEAT or _repeats(av[2])):
            return True
        if op == sre.SUBPATTERN and _repeats(av[-1]):
            return True
        if op == sre.BRANCH and any(_repeats(b) for b in av[1]):
            return True
    return False


def _overlapping_branches(parsed) -> bool:
    for op, av in parsed:
        if op == sre.BRANCH:
            starts = [_first_chars(branch) for branch in av[1]]
            for i, a in enumerate(starts):
                for b in starts[i + 1:]:
                    if a is None or b is None:
                        continue  # a class or category: not judged (the time bound covers it)
                    if a is _ANY_CHAR or b is _ANY_CHAR or a & b:
                        return True
        elif op == sre.SUBPATTERN and _overlapping_branches(av[-1]):
            return True
    return False


def _first_chars(parsed):
    """The characters a match of `parsed` begins with: a set of code points; _ANY_CHAR for `.`;
    None when it is not known from literals (a class, a category, an empty branch)."""
    for op, av in parsed:
        if op == sre.LITERAL:
            return {av}
        if op == sre.SUBPATTERN:
            return _first_chars(av[-1])
        if op == sre.ANY:
            return _ANY_CHAR
        if op == sre.IN and all(kind == sre.LITERAL for kind, _ in av):
            return {value for _, value in av}
        return None
    return None


@dataclass
class BoundedPattern:
    """A registry pattern that gives up on a URL after MATCH_TIMEOUT_S. `search` answers like
    `re.Pattern.search`; an undecided URL answers `on_timeout` (the value that keeps the URL
    out of the crawl: a match for `deny`, none for `allow`)."""

    pattern: str
    on_timeout: bool
    compiled: regex.Pattern = field(init=False, repr=False)
    timeouts: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        self.compiled = regex.compile(self.pattern)

    def search(self, text: str):
        try:
            return self.compiled.search(text, timeout=MATCH_TIMEOUT_S)
        except TimeoutError:
            self.timeouts += 1
            if self.timeouts == 1:
                logger.warning("registry pattern %r gave up on %s after %.2f s: the link is not followed",
                               self.pattern, text[:200], MATCH_TIMEOUT_S)
            return True if self.on_timeout else None


def compile_checked(pattern: str, *, on_timeout: bool) -> BoundedPattern:
    """The pattern, checked: raises `re.error` when it does not compile, ValueError naming the
    risk for a shape that backtracks catastrophically."""
    re.compile(pattern)  # the registry's regex dialect is Python's `re`
    if (risk := backtracking_risk(pattern)) is not None:
        raise ValueError(f"{risk}; it could take minutes per link: rewrite it without the nesting")
    return BoundedPattern(pattern, on_timeout)
