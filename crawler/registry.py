"""The portal registry: one TOML file per province in `crawler/portals/`, loaded into frozen,
validated dataclasses (in the manner of Fundus' `Publisher` entries).

A portal file holds that province's portals as `[[portal]]` tables::

    [[portal]]
    key = "langson-sonoivu"
    name = "Sở Nội vụ tỉnh Lạng Sơn"
    level = "so"
    province = "Lạng Sơn"
    hosts = ["sonoivu.langson.gov.vn"]
    family = "drupal"
    start_points = [{ kind = "listing", url = "https://sonoivu.langson.gov.vn/" }]

Everything is checked at load time: unknown fields (typos), wrong types, values outside their
vocabulary, bad dates, URLs and regexes, duplicate keys and hosts, unknown successors. The error
names the file, the portal and the field, and says what would be accepted::

    portal file crawler/portals/langson.toml: portal "langson-sonoivu": unknown family "drupel"
    (choose one of: auto, drupal, sharepoint, liferay, vnportal, aspnet, wordpress, generic)

Dates: `valid_from` is the first day a portal is valid, `valid_until` the first day it is no
longer valid (exclusive), so a department merged on 2025-03-01 has `valid_until = 2025-03-01`.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from crawler.regexcheck import BoundedPattern, compile_checked

__all__ = [
    "FAMILIES",
    "LEVELS",
    "LEVEL_RANK",
    "PRE_2025_PROVINCES",
    "PROVINCES",
    "PROVINCE_SLUGS",
    "UNKNOWN_PROVINCE",
    "PORTALS_DIR",
    "Portal",
    "Registry",
    "RegistryError",
    "StartPoint",
    "load_registry",
    "normalize_host",
]

PORTALS_DIR = Path(__file__).resolve().parent / "portals"

START_POINT_KINDS = ("listing", "rss", "atom", "sitemap")
LEVELS = ("tinh", "so", "huyen", "xa", "dackhu")
# "Higher administrative level": tinh > so > huyen = dackhu > xa (docs_contract.md).
LEVEL_RANK: Mapping[str, int] = MappingProxyType(
    {"tinh": 4, "so": 3, "huyen": 2, "dackhu": 2, "xa": 1}
)
STATUSES = ("active", "redirect", "frozen", "gone")
FAMILIES = ("auto", "drupal", "sharepoint", "liferay", "vnportal", "aspnet", "wordpress", "generic")
DATE_ORDERS = ("dmy", "mdy")
SCHEMES = ("https", "http")

# The 34 provincial units after the 2025 reform (vn-portals.md section 1), keyed by the slug of
# their .gov.vn host, each with the pre-2025 provinces merged into it (the survivor first).
# Đồng Nai + Bình Phước and Tây Ninh + Long An are [inferred] in vn-portals.md.
_PROVINCE_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hanoi", "Hà Nội", ("Hà Nội",)),
    ("hochiminhcity", "Hồ Chí Minh", ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu")),
    ("haiphong", "Hải Phòng", ("Hải Phòng", "Hải Dương")),
    ("danang", "Đà Nẵng", ("Đà Nẵng", "Quảng Nam")),
    ("cantho", "Cần Thơ", ("Cần Thơ", "Sóc Trăng", "Hậu Giang")),
    ("hue", "Huế", ("Thừa Thiên Huế",)),
    ("dongnai", "Đồng Nai", ("Đồng Nai", "Bình Phước")),
    ("angiang", "An Giang", ("An Giang", "Kiên Giang")),
    ("bacninh", "Bắc Ninh", ("Bắc Ninh", "Bắc Giang")),
    ("caobang", "Cao Bằng", ("Cao Bằng",)),
    ("camau", "Cà Mau", ("Cà Mau", "Bạc Liêu")),
    ("dienbien", "Điện Biên", ("Điện Biên",)),
    ("daklak", "Đắk Lắk", ("Đắk Lắk", "Phú Yên")),
    ("dongthap", "Đồng Tháp", ("Đồng Tháp", "Tiền Giang")),
    ("gialai", "Gia Lai", ("Gia Lai", "Bình Định")),
    ("hatinh", "Hà Tĩnh", ("Hà Tĩnh",)),
    ("hungyen", "Hưng Yên", ("Hưng Yên", "Thái Bình")),
    ("khanhhoa", "Khánh Hòa", ("Khánh Hòa", "Ninh Thuận")),
    ("laichau", "Lai Châu", ("Lai Châu",)),
    ("laocai", "Lào Cai", ("Lào Cai", "Yên Bái")),
    ("lamdong", "Lâm Đồng", ("Lâm Đồng", "Đắk Nông", "Bình Thuận")),
    ("langson", "Lạng Sơn", ("Lạng Sơn",)),
    ("nghean", "Nghệ An", ("Nghệ An",)),
    ("ninhbinh", "Ninh Bình", ("Ninh Bình", "Nam Định", "Hà Nam")),
    ("phutho", "Phú Thọ", ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình")),
    ("quangngai", "Quảng Ngãi", ("Quảng Ngãi", "Kon Tum")),
    ("quangninh", "Quảng Ninh", ("Quảng Ninh",)),
    ("quangtri", "Quảng Trị", ("Quảng Trị", "Quảng Bình")),
    ("sonla", "Sơn La", ("Sơn La",)),
    ("thanhhoa", "Thanh Hóa", ("Thanh Hóa",)),
    ("thainguyen", "Thái Nguyên", ("Thái Nguyên", "Bắc Kạn")),
    ("tuyenquang", "Tuyên Quang", ("Tuyên Quang", "Hà Giang")),
    ("tayninh", "Tây Ninh", ("Tây Ninh", "Long An")),
    ("vinhlong", "Vĩnh Long", ("Vĩnh Long", "Bến Tre", "Trà Vinh")),
)
PROVINCES: tuple[str, ...] = tuple(name for _, name, _ in _PROVINCE_TABLE)
PROVINCE_SLUGS: Mapping[str, str] = MappingProxyType(
    {slug: name for slug, name, _ in _PROVINCE_TABLE}
)
MERGED_INTO: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {name: before for _, name, before in _PROVINCE_TABLE}
)
PRE_2025_PROVINCES: tuple[str, ...] = tuple(p for _, _, before in _PROVINCE_TABLE for p in before)
# Province of a portal that belongs to none (an ad-hoc site crawled from a bare URL).
UNKNOWN_PROVINCE = "unknown"

_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*(?::(?P<port>\d{{1,5}}))?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


# --------------------------------------------------------------------------------------------
# Errors


class RegistryError(ValueError):
    """A portal file is wrong. `file`, `portal` and `field` say where, when known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        portal: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.portal = portal
        self.field = field
        where = []
        if self.file is not None:
            where.append(f"portal file {self.file}")
        if portal is not None:
            where.append(f'portal "{portal}"')
        super().__init__(": ".join([*where, message]))

    def located(
        self, *, file: str | Path | None = None, portal: str | None = None
    ) -> RegistryError:
        """The same error with the file/portal filled in where it was not known yet."""
        return RegistryError(
            self.message,
            file=self.file if self.file is not None else file,
            portal=self.portal if self.portal is not None else portal,
            field=self.field,
        )


def _choices(values: Iterable[str]) -> str:
    return "choose one of: " + ", ".join(values)


def _enum(
    field_name: str, value: object, allowed: tuple[str, ...], *, optional: bool = False
) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str) or value not in allowed:
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        raise RegistryError(f"unknown {field_name} {shown} ({_choices(allowed)})", field=field_name)


def _expect_str(field_name: str, value: object, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise RegistryError(
            f"{field_name} must be a string, not {type(value).__name__} {value!r}", field=field_name
        )
    if not empty_ok and not value.strip():
        raise RegistryError(f"{field_name} must not be empty", field=field_name)
    return value


def _expect_str_tuple(field_name: str, value: object) -> tuple[str, ...]:
    """A list or tuple of strings, as a tuple (lists are accepted so Python callers can write
    `hosts=["a.gov.vn"]`)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise RegistryError(
            f"{field_name} must be a list of strings, not {value!r}", field=field_name
        )
    return tuple(value)


# --------------------------------------------------------------------------------------------
# Normalisation helpers

_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


def _tone_key(text: str) -> str:
    """Placement-independent spelling key ("Thanh Hoá" == "Thanh Hóa"), see vn-portals.md §6."""
    words = []
    for word in text.split():
        decomposed = unicodedata.normalize("NFD", word.casefold())
        tone = "".join(_TONE_MARKS.get(ch, "") for ch in decomposed) or "0"
        base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
        words.append(unicodedata.normalize("NFC", base) + tone)
    return " ".join(words)


def _canonical_name(field_name: str, value: object, allowed: tuple[str, ...]) -> str:
    """Match a province name against `allowed`, ignoring tone-mark placement and NFC/NFD."""
    text = _expect_str(field_name, value)
    wanted = _tone_key(text)
    for name in allowed:
        if _tone_key(name) == wanted:
            return name
    if field_name == "province":
        for after, before in MERGED_INTO.items():
            if any(_tone_key(b) == wanted for b in before):
                raise RegistryError(
                    f'"{text}" is a pre-2025 province, merged into "{after}": write '
                    f'province = "{after}" and province_before = "{text}"',
                    field=field_name,
                )
    close = difflib.get_close_matches(text, allowed, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise RegistryError(
        f'unknown {field_name} "{text}" ({hint}{_choices(allowed)})', field=field_name
    )


def normalize_host(host: str, scheme: str | None = None) -> str:
    """Lower-case, drop a trailing dot and any userinfo, and drop the port when it is the default
    one for `scheme` (or for either http/https when no scheme is given)."""
    host = host.strip().lower().rsplit("@", 1)[-1]
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit():
        return host.rstrip(".")
    if scheme in _DEFAULT_PORTS:
        defaults: tuple[str, ...] = (_DEFAULT_PORTS[scheme],)
    else:
        defaults = tuple(_DEFAULT_PORTS.values())
    name = name.rstrip(".")
    return name if port in defaults else f"{name}:{port}"


def _check_host(field_name: str, host: object) -> str:
    text = _expect_str(field_name, host)
    normal = normalize_host(text)
    match = _HOST_RE.match(normal)
    if text != text.strip() or match is None:
        raise RegistryError(
            f'{field_name}: "{text}" is not a bare host name '
            '(write it like "langson.gov.vn" or "127.0.10.1:8470": no scheme, path or spaces)',
            field=field_name,
        )
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise RegistryError(f'{field_name}: "{text}" has an invalid port', field=field_name)
    if normal.startswith("dichvucong."):
        raise RegistryError(
            f'{field_name}: "{text}" is a public-service (dichvucong) system, not a news portal; '
            "leave it out of the registry",
            field=field_name,
        )
    return normal


def _check_url(field_name: str, url: object) -> str:
    text = _expect_str(field_name, url)
    parts = urlsplit(text)
    if (
        parts.scheme not in SCHEMES
        or not parts.netloc
        or any(ch.isspace() for ch in text)
        or _HOST_RE.match(normalize_host(parts.netloc)) is None
    ):
        raise RegistryError(
            f'{field_name}: "{text}" is not an absolute http(s) URL '
            '(write it like "https://langson.gov.vn/tin-tuc")',
            field=field_name,
        )
    return text


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in SCHEMES or not parts.netloc:
        return None
    return normalize_host(parts.netloc, parts.scheme)


# --------------------------------------------------------------------------------------------
# Entries


@dataclass(frozen=True, slots=True)
class StartPoint:
    """Where a crawl of a portal begins: a listing page, a feed or a sitemap."""

    kind: str
    url: str

    def __post_init__(self) -> None:
        _enum("start_points.kind", self.kind, START_POINT_KINDS)
        _check_url("start_points.url", self.url)


@dataclass(frozen=True, slots=True, kw_only=True)
class Portal:
    """One portal: a site (and its alias hosts) of one government body.

    `hosts` are the hosts the portal publishes on (the first is primary); `aliases` are other
    names for the same site (the "www" twin), folded onto the primary host when canonicalising;
    `asset_hosts` serve the portal's images and attachments but are not crawled for pages.
    Hosts are stored lower-case, with a port only when it is not 80/443.
    """

    key: str
    name: str
    level: str
    province: str
    province_before: str | None = None  # None -> the surviving province itself
    hosts: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    asset_hosts: tuple[str, ...] = ()
    status: str = "active"
    valid_from: date | None = None
    valid_until: date | None = None  # exclusive: the first day it no longer holds
    successor: str | None = None
    start_points: tuple[StartPoint, ...] = ()
    family: str = "auto"
    date_order: str | None = None  # None -> the family's default
    allow: tuple[str, ...] = ()  # regexes, re.search()ed against the full URL
    deny: tuple[str, ...] = ()
    scheme: str = "https"
    replica: bool = False  # a portalsim replica: never part of "every active portal"
    notes: str = ""
    allow_patterns: tuple[BoundedPattern, ...] = field(init=False, repr=False, compare=False)
    deny_patterns: tuple[BoundedPattern, ...] = field(init=False, repr=False, compare=False)
    source: str | None = field(default=None, repr=False, compare=False)  # file it came from

    def __post_init__(self) -> None:
        try:
            self._validate()
        except RegistryError as exc:
            key = self.key if isinstance(self.key, str) else None
            raise exc.located(file=self.source, portal=key) from None

    def _validate(self) -> None:
        set_ = object.__setattr__
        key = _expect_str("key", self.key)
        if not _KEY_RE.match(key):
            raise RegistryError(
                f'key "{key}" is not a lower-case slug (letters a-z, digits and single hyphens, '
                'like "langson-sonoivu")',
                field="key",
            )
        _expect_str("name", self.name)
        _enum("level", self.level, LEVELS)
        if self.province == UNKNOWN_PROVINCE:
            if self.province_before not in (None, UNKNOWN_PROVINCE):
                raise RegistryError(
                    f'province_before must be left out when province is "{UNKNOWN_PROVINCE}"',
                    field="province_before",
                )
            set_(self, "province_before", UNKNOWN_PROVINCE)
        else:
            set_(self, "province", _canonical_name("province", self.province, PROVINCES))
            merged = MERGED_INTO[self.province]
            if self.province_before is None:  # the survivor itself (Huế: Thừa Thiên Huế)
                before = self.province if self.province in merged else merged[0]
            else:
                before = _canonical_name(
                    "province_before", self.province_before, PRE_2025_PROVINCES
                )
            if before not in merged:
                raise RegistryError(
                    f'province_before "{before}" was not merged into "{self.province}" '
                    f"({_choices(merged)})",
                    field="province_before",
                )
            set_(self, "province_before", before)

        hosts = tuple(_check_host("hosts", h) for h in _expect_str_tuple("hosts", self.hosts))
        if not hosts:
            raise RegistryError(
                "hosts must list at least one host (the primary first)", field="hosts"
            )
        aliases = tuple(
            _check_host("aliases", h) for h in _expect_str_tuple("aliases", self.aliases)
        )
        assets = tuple(
            _check_host("asset_hosts", h)
            for h in _expect_str_tuple("asset_hosts", self.asset_hosts)
        )
        seen: dict[str, str] = {}
        for field_name, values in (("hosts", hosts), ("aliases", aliases), ("asset_hosts", assets)):
            for host in values:
                if host in seen:
                    raise RegistryError(
                        f'{field_name}: host "{host}" is listed twice (already in {seen[host]})',
                        field=field_name,
                    )
                seen[host] = field_name
        set_(self, "hosts", hosts)
        set_(self, "aliases", aliases)
        set_(self, "asset_hosts", assets)

        _enum("status", self.status, STATUSES)
        _enum("family", self.family, FAMILIES)
        _enum("date_order", self.date_order, DATE_ORDERS, optional=True)
        _enum("scheme", self.scheme, SCHEMES)
        for field_name in ("valid_from", "valid_until"):
            value = getattr(self, field_name)
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise RegistryError(
                    f"{field_name} must be a date (YYYY-MM-DD), not {value!r}", field=field_name
                )
        if self.valid_from and self.valid_until and self.valid_from >= self.valid_until:
            raise RegistryError(
                f"valid_until {self.valid_until} must be after valid_from {self.valid_from}",
                field="valid_until",
            )
        if self.successor is not None:
            successor = _expect_str("successor", self.successor)
            if successor == key:
                raise RegistryError(
                    "successor must be another portal, not itself", field="successor"
                )

        if not isinstance(self.start_points, (list, tuple)) or not all(
            isinstance(sp, StartPoint) for sp in self.start_points
        ):
            raise RegistryError(
                "start_points must be a list of { kind, url } tables", field="start_points"
            )
        set_(self, "start_points", tuple(self.start_points))
        own = set(hosts) | set(aliases)
        for sp in self.start_points:
            host = _host_of(sp.url)
            if host not in own:
                raise RegistryError(
                    f'start_points: "{sp.url}" is not on one of this portal\'s hosts or aliases '
                    f"({', '.join(sorted(own))}); add its host to aliases or fix the URL",
                    field="start_points",
                )
        if self.status == "active" and not self.start_points:
            raise RegistryError(
                "an active portal needs at least one start point "
                '(e.g. start_points = [{ kind = "listing", url = "https://<host>/" }])',
                field="start_points",
            )

        for field_name in ("allow", "deny"):
            patterns = []
            sources = _expect_str_tuple(field_name, getattr(self, field_name))
            set_(self, field_name, sources)
            for pattern in sources:
                try:
                    patterns.append(compile_checked(pattern, on_timeout=field_name == "deny"))
                except (re.error, ValueError) as exc:
                    raise RegistryError(
                        f'{field_name}: bad regular expression "{pattern}" ({exc})',
                        field=field_name,
                    ) from None
            set_(self, f"{field_name}_patterns", tuple(patterns))

        if not isinstance(self.replica, bool):
            raise RegistryError(
                f"replica must be true or false, not {self.replica!r}", field="replica"
            )
        _expect_str("notes", self.notes, empty_ok=True)

    # -- helpers ------------------------------------------------------------------------------

    @property
    def primary_host(self) -> str:
        return self.hosts[0]

    @property
    def base_url(self) -> str:
        """The primary site root, e.g. "https://langson.gov.vn/"."""
        return f"{self.scheme}://{self.hosts[0]}/"

    @property
    def all_hosts(self) -> tuple[str, ...]:
        """Hosts and aliases: every host serving this portal's pages."""
        return self.hosts + self.aliases

    @property
    def host_map(self) -> dict[str, str]:
        """Alias host -> primary host, for `crawler.urls.canonicalize(host_map=...)`."""
        return {alias: self.hosts[0] for alias in self.aliases}

    @property
    def level_rank(self) -> int:
        """tinh 4 > so 3 > huyen 2 = dackhu 2 > xa 1."""
        return LEVEL_RANK[self.level]

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def valid_on(self, day: date) -> bool:
        """Whether the portal existed in this form on `day` (valid_until is exclusive)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day < self.valid_until

    def owns(self, url: str, *, include_assets: bool = False) -> bool:
        """Whether `url` (http or https) is on one of this portal's hosts or aliases; with
        `include_assets`, asset hosts count too. Ports must match (80/443 are implicit)."""
        host = _host_of(url)
        if host is None:
            return False
        return host in self.all_hosts or (include_assets and host in self.asset_hosts)

    def in_scope(self, url: str) -> bool:
        """`owns(url)`, matches an `allow` pattern (if any are given) and no `deny` pattern."""
        if not self.owns(url):
            return False
        if self.allow_patterns and not any(p.search(url) for p in self.allow_patterns):
            return False
        return not any(p.search(url) for p in self.deny_patterns)


_PORTAL_FIELDS = tuple(f.name for f in dataclasses.fields(Portal) if f.init and f.name != "source")
_REQUIRED_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Portal)
    if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)
_START_POINT_FIELDS = ("kind", "url")


# --------------------------------------------------------------------------------------------
# The registry


class Registry:
    """All portals, by key and by host. Immutable; iterate for every portal in load order."""

    __slots__ = ("_by_key", "_by_host")

    def __init__(self, portals: Iterable[Portal]) -> None:
        by_key: dict[str, Portal] = {}
        by_host: dict[str, Portal] = {}
        for portal in portals:
            if portal.key in by_key:
                other = by_key[portal.key]
                raise RegistryError(
                    f'key "{portal.key}" is already used'
                    + (f" in {other.source}" if other.source else ""),
                    file=portal.source, portal=portal.key, field="key",
                )
            for field_name in ("hosts", "aliases"):
                for host in getattr(portal, field_name):
                    if host in by_host:
                        other = by_host[host]
                        where = f" in {other.source}" if other.source else ""
                        raise RegistryError(
                            f'{field_name}: host "{host}" already belongs to portal '
                            f'"{other.key}"{where}',
                            file=portal.source, portal=portal.key, field=field_name,
                        )
                    by_host[host] = portal
            by_key[portal.key] = portal
        for portal in by_key.values():
            if portal.successor is not None and portal.successor not in by_key:
                raise RegistryError(
                    f'unknown successor "{portal.successor}"{_suggest(portal.successor, by_key)}',
                    file=portal.source, portal=portal.key, field="successor",
                )
        for portal in by_key.values():  # successor chains must end
            seen = [portal.key]
            current = portal
            while current.successor is not None:
                current = by_key[current.successor]
                if current.key in seen:
                    raise RegistryError(
                        "successor chain loops: " + " -> ".join([*seen, current.key]),
                        file=portal.source, portal=portal.key, field="successor",
                    )
                seen.append(current.key)
        self._by_key: Mapping[str, Portal] = MappingProxyType(by_key)
        self._by_host: Mapping[str, Portal] = MappingProxyType(by_host)

    def __iter__(self) -> Iterator[Portal]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __repr__(self) -> str:
        return f"<Registry: {len(self)} portals>"

    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def get(self, key: str) -> Portal:
        """The portal with this key; KeyError naming close matches otherwise."""
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f'unknown portal "{key}"{_suggest(key, self._by_key)}') from None

    def active(self, *, include_replicas: bool = False) -> tuple[Portal, ...]:
        """Portals with status "active": what "crawl every portal" means.

        Replicas (portalsim) are left out unless `include_replicas` is true."""
        return tuple(
            p for p in self if p.status == "active" and (include_replicas or not p.replica)
        )

    def replicas(self) -> tuple[Portal, ...]:
        return tuple(p for p in self if p.replica)

    def by_host(self, host: str) -> Portal | None:
        """The portal serving `host` (a host or alias, "name" or "name:port"), or None."""
        return self._by_host.get(normalize_host(host))

    def for_url(self, url: str) -> Portal | None:
        """The portal whose hosts or aliases serve `url`, or None."""
        host = _host_of(url)
        return self._by_host.get(host) if host is not None else None

    def in_province(self, province: str) -> tuple[Portal, ...]:
        """Portals of a (post-2025) province; tone-mark placement does not matter."""
        wanted = _tone_key(province)
        return tuple(p for p in self if _tone_key(p.province) == wanted)

    def successor_chain(self, key: str) -> tuple[Portal, ...]:
        """The portal and its successors, oldest first (e.g. skhdt -> stc)."""
        chain = [self.get(key)]
        while chain[-1].successor is not None:
            chain.append(self._by_key[chain[-1].successor])
        return tuple(chain)


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


# --------------------------------------------------------------------------------------------
# Loading


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _coerce_date(field_name: str, value: object) -> object:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise RegistryError(
                f'{field_name}: invalid date "{value}" (write YYYY-MM-DD, e.g. 2025-03-01)',
                field=field_name,
            )
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise RegistryError(
                f'{field_name}: invalid date "{value}" ({exc})', field=field_name
            ) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RegistryError(
            f"{field_name} must be a date like 2025-03-01 (no time of day), not {value!r}",
            field=field_name,
        )
    return value


def _unknown_fields(given: Iterable[str], allowed: tuple[str, ...], what: str) -> None:
    for name in given:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            raise RegistryError(
                f'unknown field "{name}" in {what} ({hint}allowed fields: {", ".join(allowed)})',
                field=name,
            )


def _portal_from_table(table: dict[str, Any], source: str) -> Portal:
    _unknown_fields(table, _PORTAL_FIELDS, "[[portal]]")
    missing = [name for name in _REQUIRED_FIELDS if name not in table]
    if missing:
        raise RegistryError(
            f"missing required field {', '.join(missing)} "
            f"(required: {', '.join(_REQUIRED_FIELDS)})",
            field=missing[0],
        )
    kwargs: dict[str, Any] = {}
    for name, value in table.items():
        if name in ("valid_from", "valid_until"):
            value = _coerce_date(name, value)
        elif name == "start_points":
            if not isinstance(value, list):
                raise RegistryError(
                    "start_points must be a list of { kind, url } tables", field="start_points"
                )
            points = []
            for item in value:
                if not isinstance(item, dict):
                    raise RegistryError(
                        f"start_points entries must be {{ kind, url }} tables, not {item!r}",
                        field="start_points",
                    )
                _unknown_fields(item, _START_POINT_FIELDS, "start_points")
                for required in _START_POINT_FIELDS:
                    if required not in item:
                        raise RegistryError(
                            f"start_points entry {item!r} is missing {required}",
                            field=f"start_points.{required}",
                        )
                points.append(StartPoint(**item))
            value = tuple(points)
        kwargs[name] = value
    return Portal(**kwargs, source=source)


def load_file(path: Path) -> list[Portal]:
    """The portals of one portal file (validated one by one; cross-file checks are Registry's)."""
    shown = _display(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read()
        data = tomllib.loads(_replica_addresses(path, raw.decode("utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"not valid TOML: {exc}", file=shown) from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"not UTF-8 text (TOML files are UTF-8): {exc}", file=shown) from None
    except RecursionError:
        raise RegistryError("nested too deeply to read (arrays or tables within each other)",
                            file=shown) from None
    except OSError as exc:
        raise RegistryError(f"cannot read: {exc}", file=shown) from None
    except ValueError as exc:  # GOVCRAWL_REPLICA_PORT is no port (the replica file follows it)
        raise RegistryError(str(exc), file=shown) from None
    extra = [k for k in data if k != "portal"]
    if extra:
        raise RegistryError(
            f'unknown top-level key "{extra[0]}" (a portal file holds only [[portal]] tables)',
            file=shown, field=extra[0],
        )
    tables = data.get("portal", [])
    if not isinstance(tables, list):
        raise RegistryError("portals must be written as [[portal]] tables", file=shown)
    expected_province = PROVINCE_SLUGS.get(path.stem)
    portals = []
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise RegistryError(f"portal #{index} is {table!r}, not a [[portal]] table", file=shown)
        key = table.get("key")
        label = key if isinstance(key, str) else f"#{index}"
        try:
            portal = _portal_from_table(table, shown)
        except RegistryError as exc:
            raise exc.located(file=shown, portal=label) from None
        if expected_province is not None and portal.province != expected_province:
            raise RegistryError(
                f'province "{portal.province}" does not belong in {path.name} '
                f'(this file is for "{expected_province}"; move the portal to '
                f"{_slug_of(portal.province)}.toml)",
                file=shown, portal=portal.key, field="province",
            )
        portals.append(portal)
    return portals


def _slug_of(province: str) -> str:
    return next(slug for slug, name in PROVINCE_SLUGS.items() if name == province)


REPLICA_FILE = PORTALS_DIR / "replica.toml"


def _replica_addresses(path: Path, text: str) -> str:
    """The bundled replica registry names port 8470; its portals listen on `replica_port()`
    (GOVCRAWL_REPLICA_PORT, portalsim/model.py), which the file follows."""
    if path.resolve() != REPLICA_FILE.resolve():
        return text
    from portalsim.model import CONTRACT_PORT, replica_port  # the replica's tooling, needed here only
    port = replica_port()
    return text if port == CONTRACT_PORT else text.replace(f":{CONTRACT_PORT}", f":{port}")


def load_registry(directory: Path | None = None) -> Registry:
    """Load every `*.toml` in `directory` (default: the packaged `crawler/portals/`)."""
    directory = PORTALS_DIR if directory is None else Path(directory)
    if not directory.is_dir():
        raise RegistryError(f"portal directory {directory} does not exist")
    portals: list[Portal] = []
    for path in sorted(directory.glob("*.toml")):
        portals.extend(load_file(path))
    return Registry(portals)
