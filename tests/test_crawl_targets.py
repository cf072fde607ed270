"""What `govcrawl crawl TARGET` crawls (issue 16 item 3): a URL on a registered portal's host
crawls that portal from that URL, never an ad-hoc twin that would take its crawl state over."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portalsim import ReplicaServer, build_replica
from portalsim.hostile import HostileSite
from storage import Database
from storage.models import Portal
from tests.conftest import FAST_CRAWL, run_govcrawl

pytestmark = pytest.mark.e2e


def _registry(directory: Path, site: HostileSite) -> Path:
    directory.mkdir()
    (directory / "langson.toml").write_text(f'''
[[portal]]
key = "langson-thunghiem"
name = "Trang thử nghiệm"
level = "xa"
province = "Lạng Sơn"
hosts = ["{site.base_url.removeprefix("http://")}"]
scheme = "http"
start_points = [{{ kind = "listing", url = "{site.base_url}/" }}]
''', encoding="utf-8")
    return directory


def test_a_url_on_a_registered_host_crawls_that_portal_not_a_twin(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    with HostileSite("good") as site:
        common = ("--db", db_url, "--registry", str(_registry(tmp_path / "portals", site)), "--json", *FAST_CRAWL,
                  "-s", "GOVCRAWL_PRIVATE_HOSTS=127.0.0.1")
        first = run_govcrawl("crawl", "langson-thunghiem", *common)
        assert first.returncode == 0, first.stderr[-2000:]
        fetched_before = sum(site.hits.values())
        by_url = run_govcrawl("crawl", site.start_url, *common)
        fetched_by_url = sum(site.hits.values()) - fetched_before
    assert by_url.returncode == 0, by_url.stderr[-2000:]
    [portal] = json.loads(by_url.stdout)["portals"]
    assert portal["portal"] == "langson-thunghiem"
    assert portal["articles_new"] == 0 and fetched_by_url <= 3  # the listing, not the 10 known articles again
    db = Database(db_url)
    with db.session() as session:
        assert list(session.scalars(select(Portal.key))) == ["langson-thunghiem"]  # no url-… twin
    db.dispose()


def test_portalsim_serve_says_in_one_line_that_its_addresses_are_taken() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT
    with ReplicaServer(build_replica(seed=3, articles=5)):  # holds 127.0.10.N:8470
        done = subprocess.run([sys.executable, "-m", "portalsim", "serve", "--articles", "5"], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "taken by another process" in done.stderr
