"""Scrapy settings for govcrawl. Defaults are polite: government servers are small.

Override any of them per run with `govcrawl crawl -s NAME=VALUE` (as with `scrapy crawl -s`).
The database is the `GOVCRAWL_DB` setting (or environment variable): any SQLAlchemy URL,
default sqlite:///./data/govcrawl.sqlite.
"""
from crawler import __version__

BOT_NAME = "govcrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = f"govcrawl/{__version__} (+https://github.com/govcrawl/govcrawl; archiving public news)"
ROBOTSTXT_OBEY = True

# Politeness: at most two connections per host, AutoThrottle adapts the delay to the server.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Pages whose items wait for a page worker hold their response (and its parsed tree) in the
# crawl process; Scrapy stops downloading while their bodies exceed this many bytes (default
# 5 MB: ~600 replica pages, ~100 MB of trees). 1 MB keeps the workers fed and memory flat.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
# Scrapy starts this many asyncio tasks for the output of every response (default 100); a page
# yields one item and its links, so 8 is plenty, and the task churn was ~6% of the crawl
# process's CPU (fetch-only replica bench: 224 -> 282 pages/s).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Size bounds (issue 15): an HTML page over 10 MiB (a runaway template, a 50 MB dump) or one that
# inflates past it (a gzip bomb) is refused, recorded as too_large and not fetched again;
# sitemaps may reach 50 MiB (crawler/spiders/portal.py SITEMAP_MAX_SIZE).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
# A page whose extraction takes longer fails ("timeout") instead of holding up the pages behind it.
GOVCRAWL_EXTRACT_TIMEOUT = 30.0
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Small servers time out and return 5xx under load: retry, but not forever.
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 2
# 429/503 retries wait as Retry-After asks (seconds or a date), the host slowed meanwhile, each
# further refusal doubling the wait; longer than this many seconds: not retried this run.
GOVCRAWL_RETRY_AFTER_MAX = 120.0

# Proxies: HttpProxyMiddleware (on by default) reads http_proxy / https_proxy / no_proxy.
HTTPPROXY_ENABLED = True

# Scope (crawler/scope.py): host names allowed to resolve to a loopback, private, link-local or
# reserved address (replica portals, a portal typed as an IP literal and the proxy's host are);
# redirect hops a page may take (loops are refused whatever the count).
TWISTED_DNS_RESOLVER = "crawler.scope.ScopedResolver"
GOVCRAWL_PRIVATE_HOSTS: list[str] = []
GOVCRAWL_MAX_REDIRECTS = 5

ITEM_PIPELINES = {"crawler.pipelines.StoragePipeline": 300}
# before robots.txt (100): a page already answered for is not fetched, robots.txt or not
DOWNLOADER_MIDDLEWARES = {
    # scope (crawler/scope.py): requests stay on their portal's hosts, checked before robots.txt;
    # redirects and meta refreshes checked before Scrapy's redirect middlewares follow them
    "crawler.scope.PortalScope": 40,
    "crawler.scope.RedirectScope": 650,
    "crawler.middlewares.SkipAnsweredPages": 50,
    # Scrapy's RetryMiddleware, in its place, with Retry-After and per-host back-off (crawler/backoff.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.backoff.PoliteRetry": 550,
    # WARC capture (crawler/warc.py): the response as the server sent it (before redirects,
    # cookies and decompression act on it), on disk before it goes on to the spider
    "crawler.warc.WarcCapture": 720,
}
# WARC capture of every response (crawler/warc.py); GOVCRAWL_WARC=0 switches it off. The directory:
# None = $GOVCRAWL_WARC_DIR, else `warc/` beside the SQLite database file (data/warc/ for the
# default database), else (PostgreSQL) ./data/warc/. Files rotate before passing MAX_SIZE bytes;
# FSYNC: each write is fsynced before the response goes on (off: flushed to the OS only, which
# a killed crawl survives but a power loss may not).
GOVCRAWL_WARC = True
GOVCRAWL_WARC_DIR: str | None = None
GOVCRAWL_WARC_MAX_SIZE = 1_000_000_000
GOVCRAWL_WARC_FSYNC = True
# Attachments of stored articles (crawler/attachments.py): PDF, DOC/DOCX, XLS/XLSX, ODT, ZIP links on
# the portal's hosts or declared asset hosts, fetched once (0: none), each capped at MAX_BYTES
# (over it: failure too_large, nothing stored).
GOVCRAWL_ATTACHMENTS = True
GOVCRAWL_ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
# PortalActivity: each portal's first/last activity for the run report; PortalProgress: the
# progress display (off unless GOVCRAWL_PROGRESS_INTERVAL > 0, as `govcrawl crawl` sets it).
EXTENSIONS = {"crawler.runs.PortalActivity": 500, "crawler.progress.PortalProgress": 500,
              # several workers, one run (crawler/distributed.py): off unless GOVCRAWL_REDIS is set
              "crawler.distributed.Worker": 100}
# Several workers sharing one run through Redis (crawler/distributed.py, `govcrawl crawl --redis URL`):
# the Redis URL (None: environment GOVCRAWL_REDIS, else a single-process crawl), this worker's id
# (None: the next number of the run), portals a worker leases at once, the lease and heartbeat
# time-to-live in seconds (a dead worker's portals are taken over after it), the key prefix.
GOVCRAWL_REDIS: str | None = None
GOVCRAWL_WORKER_ID: str | None = None
GOVCRAWL_WORKER_PORTALS = 8
GOVCRAWL_REDIS_LEASE_TTL = 30
GOVCRAWL_REDIS_PREFIX = "govcrawl"

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy's feed exports (-O articles.jsonl, FEEDS) write the stored articles as `govcrawl export`
# does, one record each (crawler/feeds.py)
FEED_EXPORTERS = {
    "jsonlines": "crawler.feeds.JsonLinesArticles",
    "jsonl": "crawler.feeds.JsonLinesArticles",
    "jl": "crawler.feeds.JsonLinesArticles",
    "json": "crawler.feeds.JsonArticles",
    "csv": "crawler.feeds.CsvArticles",
    "xml": "crawler.feeds.XmlArticles",
}

GOVCRAWL_DB = None  # None: environment GOVCRAWL_DB, then sqlite:///./data/govcrawl.sqlite
# Processes that extract and store pages beside the crawl (see crawler/processing.py):
# -1 = one less than the CPU count (at least one); 0 = inline in the crawl process.
GOVCRAWL_PROCESS_WORKERS = -1
# a queued URL whose fetch fails transiently (5xx, timeout, DNS) in this many runs in a row (runs
# in which its portal answered other pages) leaves the frontier, recorded as "given_up", so its
# portal's walk can complete
GOVCRAWL_GIVE_UP_AFTER_RUNS = 5
# Plain progress lines (when stderr is not a terminal) every this many seconds; 0 = none.
GOVCRAWL_PROGRESS_INTERVAL = 0
# Incremental runs: listing pages of only known articles read before paging stops; known articles
# revalidated per portal and run (crawler/state.py).
GOVCRAWL_LISTING_OVERLAP = 1
GOVCRAWL_REVALIDATE_MAX = 500
# Where pages the database did not take are kept (undelivered-run<N>.jsonl; crawler/undelivered.py).
GOVCRAWL_DEAD_LETTER_DIR = "data"
# Trap bounds on every portal (crawler/traps.py).
GOVCRAWL_MAX_URL_CHARS = 2000
GOVCRAWL_QUERY_VALUES = 1000
GOVCRAWL_DRY_LISTING_PAGES = 3
GOVCRAWL_LISTING_DEPTH = 2000
GOVCRAWL_PORTAL_MAX_PAGES = 50_000
GOVCRAWL_REFUSED_CANDIDATES = 500
# The command line that started the run, recorded with it (set by `govcrawl crawl`).
GOVCRAWL_ARGS = ""

# Health checks of the run report (crawler/health.py); a flagged portal makes `govcrawl crawl`
# exit with 5. Runs without a new article that make a portal "stalled" (0: never stalled):
GOVCRAWL_HEALTH_STALLED_RUNS = 3
# "undated" / "bodiless": at least this share of the run's article pages, out of at least
# MIN_PAGES, while the portal's earlier runs (the latest HISTORY_RUNS) had at most BASELINE_SHARE.
GOVCRAWL_HEALTH_REDESIGN_SHARE = 0.5
GOVCRAWL_HEALTH_REDESIGN_MIN_PAGES = 5
GOVCRAWL_HEALTH_BASELINE_SHARE = 0.1
GOVCRAWL_HEALTH_HISTORY_RUNS = 10

# Link discovery on URL shapes no family grammar knows (crawler/linkfinder.py): news sections a
# home page's menus name are read as listings, at most this many per portal and run (0: none) ...
GOVCRAWL_SECTION_PAGES = 20
# ... and pagination found only by a listing's structure, or below such a section, is followed at
# most this many hops from where the chain began (registered listings' own pagination: unbounded).
GOVCRAWL_SECTION_DEPTH = 50
