"""Several crawl workers, one run: scrapy-redis's scheduler and dupefilter, one PostgreSQL store.

    govcrawl crawl --redis redis://127.0.0.1:6379/0 [--worker-id N] [KEY ...] --db postgresql+psycopg://…

The model (README, "Scaling out: several workers"):

- **One portal, one worker at a time.** A worker leases a portal (`SET lease:<portal> <worker> NX
  EX ttl`, renewed every ttl/3 s) and only the holder pops that portal's requests. The spider's
  per-portal run state (requested URLs, the page cap, trap counters, overlap paging, headlines,
  learned templates, sections) then stays whole in one process, and per-host concurrency, delay
  and AutoThrottle hold globally as they do in one process; robots.txt is read once per host per
  run, by the holder. A worker holds up to GOVCRAWL_WORKER_PORTALS portals at once.
- **PostgreSQL is the source of truth.** A worker that leases a portal reads its crawl state from
  the database again (frontier, walked listings, known URLs: `CrawlState.reload`), empties the
  portal's queue and fingerprints in Redis and seeds it as a resumed single-process run would.
  A portal whose holder died (its lease expired before the portal was done) is therefore taken
  over exactly as `tests/test_resume.py` resumes a killed crawl; a flushed Redis loses only
  queued requests, which the frontier still names.
- **Redis holds the run's working set** under `<prefix>:<db host:port/name>` (two archives on one
  Redis never mix) and, per run, `…:<run id>:`: `requests:<portal>` (scrapy-redis
  PriorityQueue), `dupefilter:<portal>` (RFPDupeFilter's fingerprints), `lease:<portal>`,
  `done` (portals finished in the run), `portals`, `active` / `alive:<worker>` (workers in the
  run and their heartbeats), `shares` (each worker's counters, refreshed every heartbeat).
- **One run.** The first worker (under the `lock` key) creates the `crawl_runs` row and stores its
  id in `<ns>:run`; workers started while that run is open join it.
- **Idle and close rule.** A worker whose engine is idle (no request of its portals queued or in
  flight, no page in the pipeline) marks its portals done and leases others; with none left to
  lease it closes only once every portal of the run is done, and meanwhile waits (Scrapy calls
  `spider_idle` again every 5 s: no spinning, no early exit while another worker holds a portal,
  which may still die and need taking over). The last worker to leave (under the lock, dead
  workers' heartbeats pruned) sums every worker's counters and closes the run once.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base, PriorityQueue
from sqlalchemy.engine import make_url
from twisted.internet import task

logger = logging.getLogger(__name__)

ENV_VAR = "GOVCRAWL_REDIS"
DEFAULT_PREFIX = "govcrawl"


def redis_url(settings: Any) -> str | None:
    """The Redis of a worker: the GOVCRAWL_REDIS setting, else the environment variable."""
    return settings.get("GOVCRAWL_REDIS") or os.environ.get(ENV_VAR) or None


def namespace(db_url: str, prefix: str = DEFAULT_PREFIX) -> str:
    """`<prefix>:<host>:<port>/<database>`: the keys of one archive (two on one Redis never mix)."""
    url = make_url(db_url)
    return f"{prefix}:{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def redis_problem(url: str) -> str | None:
    """Why the Redis at `url` cannot be used (one line), or None when it answers."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        said = str(exc).splitlines()[0] if str(exc) else "-"
        return f"Redis at {mask(url)} does not answer ({type(exc).__name__}: {said})"
    return None


def startup_lock(url: str, db_url: str, prefix: str | None = None) -> Any:
    """The lock workers of one archive take turns under at start-up (migrating the database,
    registering the portals, joining the run): two workers creating the same rows at once on a
    fresh database would collide."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    return client.lock(f"{namespace(db_url, prefix or DEFAULT_PREFIX)}:lock", timeout=300, blocking_timeout=300)


def mask(url: str) -> str:
    """The URL without its password."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def configure(settings: Any) -> None:
    """With GOVCRAWL_REDIS set: scrapy-redis's Scheduler (persistent: workers share the queue, the
    last one cleans up) with govcrawl's per-portal queue and dupefilter (spider priority, so
    `-s` still wins). Called from the spider's `update_settings`."""
    url = redis_url(settings)
    if not url:
        return
    # scrapy-redis 0.9 still passes `spider=` to the stats: one deprecation warning per call site
    warnings.filterwarnings("ignore", message="Passing a 'spider' argument", module="scrapy_redis")
    for name, value in (("SCHEDULER", "scrapy_redis.scheduler.Scheduler"), ("SCHEDULER_PERSIST", True),
                        ("SCHEDULER_QUEUE_CLASS", "crawler.distributed.PortalQueue"),
                        ("DUPEFILTER_CLASS", "crawler.distributed.PortalDupeFilter"),
                        ("SCHEDULER_IDLE_BEFORE_CLOSE", 0),  # a blocking pop would hold the reactor
                        ("REDIS_URL", url), ("GOVCRAWL_REDIS", url)):
        settings.set(name, value, priority="spider")


def worker_of(crawler: Crawler | None) -> Worker | None:
    """The crawl's Worker extension (None: a single-process crawl)."""
    manager = getattr(crawler, "extensions", None)
    for extension in getattr(manager, "middlewares", ()):
        if isinstance(extension, Worker):
            return extension
    return None


# -- counters shared between workers -------------------------------------------------------------

def _encode(stats: Mapping[str, Any]) -> str:
    shared = {}
    for name, value in stats.items():
        if not name.startswith("govcrawl/") or name == "govcrawl/run_id":
            continue
        shared[name] = {"t": value.isoformat()} if isinstance(value, datetime) else value
    return json.dumps(shared)


def merge_shares(shares: Iterable[str]) -> dict[str, Any]:
    """Every worker's govcrawl/* counters as one crawl's: numbers summed, first activity the
    earliest, last activity the latest, other values (a detected family, a redesign) the first."""
    merged: dict[str, Any] = {}
    for share in shares:
        for name, value in json.loads(share).items():
            if isinstance(value, dict) and "t" in value:
                value = datetime.fromisoformat(value["t"])
            old = merged.get(name)
            if old is None:
                merged[name] = value
            elif isinstance(value, datetime):
                merged[name] = min(old, value) if name.endswith("first_activity") else max(old, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(old, (int, float)):
                merged[name] = old + value
    return merged


# -- the worker ----------------------------------------------------------------------------------

class Worker:
    """One worker of a run shared through Redis: joins the run, leases portals, decides when to
    close, and tells the storage pipeline whether it closes the run (the last to leave)."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.url = url
        self.server = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5, socket_timeout=30)
        db_url = settings.get("GOVCRAWL_DB")
        if not db_url or make_url(db_url).get_backend_name() != "postgresql":
            raise NotConfigured("several workers need a PostgreSQL database (GOVCRAWL_DB)")
        self.db_url = db_url
        self.ns = namespace(db_url, settings.get("GOVCRAWL_REDIS_PREFIX") or DEFAULT_PREFIX)
        self.ttl = max(2, settings.getint("GOVCRAWL_REDIS_LEASE_TTL", 30))
        self.per_worker = max(1, settings.getint("GOVCRAWL_WORKER_PORTALS", 8))
        self.given_id = settings.get("GOVCRAWL_WORKER_ID") or None
        self.held: list[str] = []  # portals leased by this worker, in lease order
        self.run_id: int | None = None
        self.id: str = ""
        self.portals: list[str] = []  # this run's portals, as the first worker set them
        self.left = False
        self.heartbeat: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Worker:
        url = redis_url(crawler.settings)
        if not url:
            raise NotConfigured
        worker = cls(crawler, url)
        worker.join()
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        return worker

    def key(self, *parts: Any) -> str:
        """A key of this run: `<ns>:<run id>:<parts…>`."""
        return ":".join([self.ns, str(self.run_id), *map(str, parts)])

    def _lock(self) -> Any:
        return self.server.lock(f"{self.ns}:lock", timeout=60, blocking_timeout=60)

    # -- the run ---------------------------------------------------------------------------

    def join(self) -> None:
        """Join the open run of this database, or (the first worker) start one."""
        from crawler.runs import portal_records
        from storage import Database, repository
        from storage.models import CrawlRun
        from storage.runs import start_run

        keys = list(self.crawler.spider.portals) if self.crawler.spider is not None else []
        db = Database(self.db_url)
        try:
            with self._lock():
                current = self.server.get(f"{self.ns}:run")
                with db.session() as session, session.begin():
                    # the portals' rows, made here under the lock (the pipeline would make them too,
                    # and two workers inserting the same portal at once collide)
                    repository.sync_portals(session, portal_records(self.crawler.spider.portals.values()))
                    run = session.get(CrawlRun, int(current)) if current else None
                    if run is not None and run.status == "running":
                        self.run_id = run.id
                    else:
                        self.run_id = start_run(session, args=self.crawler.settings.get("GOVCRAWL_ARGS", ""))
                        session.flush()
                if current is None or int(current) != self.run_id:
                    self.server.set(f"{self.ns}:run", self.run_id)
                if keys and not self.server.exists(self.key("portals")):  # a new run (or its keys were lost)
                    self.server.rpush(self.key("portals"), *keys)
                self.portals = self.server.lrange(self.key("portals"), 0, -1)
                self.id = str(self.given_id or self.server.incr(self.key("workers")))
                self.server.sadd(self.key("active"), self.id)
                self.server.set(self.key("alive", self.id), f"{socket.gethostname()}:{os.getpid()}", ex=self.ttl)
        finally:
            db.dispose()
        if set(keys) != set(self.portals):
            logger.warning("worker %s: run %s crawls %s; this worker was started with %s (it crawls the run's "
                           "portals it knows)", self.id, self.run_id, ", ".join(self.portals), ", ".join(keys))
        logger.info("worker %s joined run %s (%s)", self.id, self.run_id, self.key())
        self.crawler.stats.set_value("govcrawl/worker/id", self.id)
        self.crawler.stats.set_value("govcrawl/worker/host", f"{socket.gethostname()}:{os.getpid()}")
        self.crawler.stats.set_value("govcrawl/worker/joined_at", datetime.now(UTC))
        # a share from the start: a worker killed before its first heartbeat still has its row
        self.server.hset(self.key("shares"), self.id, _encode(self.crawler.stats.get_stats()))

    def spider_opened(self, spider: Any) -> None:
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(max(1.0, self.ttl / 3), now=False)

    def beat(self) -> None:
        """Renew this worker's heartbeat and leases, and publish its counters so far (a worker
        killed later still counts in the run's report)."""
        try:
            pipe = self.server.pipeline()
            pipe.set(self.key("alive", self.id), "1", ex=self.ttl)
            for key in self.held:
                pipe.set(self.key("lease", key), self.id, ex=self.ttl, xx=True)
            pipe.hset(self.key("shares"), self.id, _encode(self.crawler.stats.get_stats()))
            pipe.execute()
            lost = [key for key in self.held if self.server.get(self.key("lease", key)) != self.id]
            if lost:
                logger.error("worker %s lost its lease on %s (stalled longer than %ss?): another worker may "
                             "crawl it too", self.id, ", ".join(lost), self.ttl)
        except redis.RedisError as exc:
            logger.error("worker %s: Redis heartbeat failed (%s)", self.id, exc)

    # -- portals -----------------------------------------------------------------------------

    def claim(self) -> list[str]:
        """Lease portals of the run that are neither done nor leased, up to GOVCRAWL_WORKER_PORTALS
        held; each leased one starts afresh from the database (its Redis queue and fingerprints
        emptied: a portal taken over from a dead worker resumes as a killed crawl does)."""
        spider = self.crawler.spider
        done = self.server.smembers(self.key("done"))
        fresh = []
        for key in self.portals:
            if len(self.held) >= self.per_worker:
                break
            if key in done or key in self.held or key not in spider.portals:
                continue
            if self.server.set(self.key("lease", key), self.id, nx=True, ex=self.ttl):
                self.server.delete(self.key("requests", key), self.key("dupefilter", key))
                self.held.append(key)
                fresh.append(key)
        for key in fresh:
            if spider.state is not None:
                spider.state.reload(key)
            logger.info("worker %s crawls %s", self.id, key)
        self.crawler.stats.inc_value("govcrawl/worker/portals_leased", len(fresh))
        return fresh

    def first_portals(self) -> list[Any]:
        """The portals the spider starts with (its `start`)."""
        return [self.crawler.spider.portals[key] for key in self.claim()]

    def release_done(self) -> None:
        """The engine is idle: every portal held is done for this run."""
        if not self.held:
            return
        pipe = self.server.pipeline()
        pipe.sadd(self.key("done"), *self.held)
        pipe.delete(*(self.key("lease", key) for key in self.held))
        pipe.execute()
        logger.info("worker %s finished %s", self.id, ", ".join(self.held))
        self.held = []

    def spider_idle(self, spider: Any) -> None:
        """The idle rule (module docstring): more portals, or wait, or close."""
        if self.left:
            return
        self.release_done()
        fresh = self.claim()
        for key in fresh:
            for request in spider.seeds(spider.portals[key]):
                self.crawler.engine.crawl(request)
        if fresh:
            raise DontCloseSpider
        if self.server.scard(self.key("done")) < len(self.portals):
            raise DontCloseSpider  # another worker holds a portal: wait (and take it over if it dies)

    def leave(self, stats: Mapping[str, Any], reason: str) -> dict[str, Any] | None:
        """This worker is done with the run. Its counters go to Redis; a portal it still held (a
        stopped worker) is released for another to take over. Returns every worker's counters
        summed when this is the last worker (which closes the run), else None."""
        self.left = True
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        stats = {**stats, "govcrawl/worker/status": "done" if reason == "finished" else "stopped",
                 "govcrawl/worker/left_at": datetime.now(UTC)}
        with self._lock():
            pipe = self.server.pipeline()
            pipe.hset(self.key("shares"), self.id, _encode(stats))
            if reason == "finished":
                self.release_done()
            elif self.held:
                pipe.delete(*(self.key("lease", key) for key in self.held))
            pipe.srem(self.key("active"), self.id)
            pipe.delete(self.key("alive", self.id))
            pipe.execute()
            for other in self.server.smembers(self.key("active")):
                if not self.server.exists(self.key("alive", other)):  # killed: its heartbeat expired
                    logger.warning("worker %s of run %s is gone (no heartbeat for %ss)", other, self.run_id, self.ttl)
                    self.server.srem(self.key("active"), other)
            if self.server.scard(self.key("active")):
                logger.info("worker %s leaves run %s; the last worker closes it", self.id, self.run_id)
                return None
            shares = self.server.hgetall(self.key("shares"))
            merged = merge_shares(shares.values())
            merged["govcrawl/workers"] = len(shares)
            if self.server.get(f"{self.ns}:run") == str(self.run_id):
                self.server.delete(f"{self.ns}:run")
            keys = list(self.server.scan_iter(match=f"{self.key()}:*", count=1000))
            if keys:
                self.server.delete(*keys)
        self.crawler.stats.set_value("govcrawl/worker/closes_run", True)
        self._record(shares)
        logger.info("worker %s is the last of run %s (%d workers): closing it", self.id, self.run_id, len(shares))
        return merged


    def _record(self, shares: Mapping[str, str]) -> None:
        """Each worker's share as a `crawl_run_workers` row (storage/workers.py); a database
        failure here costs the per-worker rows only (the run is closed after, as ever)."""
        from sqlalchemy.exc import SQLAlchemyError

        from storage import Database
        from storage.workers import record_workers

        rows = [share_of(worker, json.loads(share), self.portals) for worker, share in shares.items()]
        db = Database(self.db_url)
        try:
            with db.session() as session, session.begin():
                record_workers(session, int(self.run_id or 0), rows)
        except SQLAlchemyError as exc:
            logger.error("cannot record the workers of run %s (%s)", self.run_id, exc)
        finally:
            db.dispose()


def share_of(worker: str, counters: Mapping[str, Any], portals: Iterable[str]) -> Any:
    """A worker's row from the counters it last published (no status: it never left, it is gone)."""
    from storage.workers import WorkerShare

    def when(name: str) -> datetime | None:
        value = counters.get(f"govcrawl/worker/{name}")
        return datetime.fromisoformat(value["t"]) if isinstance(value, dict) else None

    def total(counter: str, keys: Iterable[str]) -> int:
        return sum(int(counters.get(f"govcrawl/{key}/{counter}", 0)) for key in keys)

    crawled = tuple(key for key in portals if f"govcrawl/{key}/first_activity" in counters)
    return WorkerShare(worker=worker, host=counters.get("govcrawl/worker/host"),
                       status=counters.get("govcrawl/worker/status") or "gone",
                       joined_at=when("joined_at"), left_at=when("left_at"), portals=crawled,
                       pages_fetched=total("pages_fetched", crawled), not_modified=total("not_modified", crawled),
                       articles_new=total("articles_new", crawled), errors=total("errors", crawled))


class PortalQueue(Base):
    """scrapy-redis's PriorityQueue, one per portal (`…:requests:<portal>`): a worker pops only
    the requests of the portals it leases, in turn."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        worker = worker_of(spider.crawler)
        if worker is None:
            raise NotConfigured("PortalQueue needs the govcrawl Worker extension (GOVCRAWL_REDIS)")
        self.worker = worker
        self.queues: dict[str, PriorityQueue] = {}
        self.turn = 0

    def _queue(self, portal: str) -> PriorityQueue:
        queue = self.queues.get(portal)
        if queue is None:
            queue = self.queues[portal] = PriorityQueue(self.server, self.spider, self.worker.key("requests", portal),
                                                        self.serializer)
        return queue

    def __len__(self) -> int:
        return sum(len(self._queue(key)) for key in self.worker.held)

    def push(self, request: Any) -> None:
        self._queue(request.meta.get("portal", "-")).push(request)

    def pop(self, timeout: int = 0) -> Any:
        held = self.worker.held
        for step in range(len(held)):
            key = held[(self.turn + step) % len(held)]
            request = self._queue(key).pop()
            if request is not None:
                self.turn = (self.turn + step + 1) % len(held)
                return request
        return None

    def clear(self) -> None:
        for key in self.worker.held:
            self._queue(key).clear()


class PortalDupeFilter(RFPDupeFilter):
    """scrapy-redis's RFPDupeFilter with one fingerprint set per portal (`…:dupefilter:<portal>`),
    so a portal taken over starts with its own set emptied; never cleared on close (the run's
    last worker removes the run's keys)."""

    @classmethod
    def from_spider(cls, spider: Any) -> PortalDupeFilter:
        worker = worker_of(spider.crawler)
        if worker is None:
            raise NotConfigured("PortalDupeFilter needs the govcrawl Worker extension (GOVCRAWL_REDIS)")
        return cls(worker.server, key=worker.key("dupefilter"), debug=spider.settings.getbool("DUPEFILTER_DEBUG"))

    def request_seen(self, request: Any) -> bool:
        return self.server.sadd(f"{self.key}:{request.meta.get('portal', '-')}", self.request_fingerprint(request)) == 0

    def close(self, reason: str = "") -> None:
        pass
