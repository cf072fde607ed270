"""ReplicaServer: one ThreadingHTTPServer per primary and alias address, each in its own thread."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portalsim.faults import Faults
from portalsim.replica import Replica

logger = logging.getLogger(__name__)
CONDITIONS = ("If-None-Match", "If-Modified-Since")  # the request headers a page may answer with 304


def _handler_for(faults: Faults, host: str, requests: Counter[str] | None = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Microsoft-IIS/8.5"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def _respond(self, with_body: bool) -> None:
            conditions = {name: self.headers[name] for name in CONDITIONS if name in self.headers}
            if requests is not None:
                requests[f"http://{host}{self.path}"] += 1
            status, headers, body = faults.render(host, self.path, conditions)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._respond(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(False)

        def log_message(self, format: str, *args) -> None:  # quiet; debug-level only
            logger.debug("%s %s", host, format % args)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class ReplicaServer:
    """Context manager: `with ReplicaServer(replica) as server: server.base_url("replica-drupal")`."""

    def __init__(self, replica: Replica, port: int | None = None, faults: dict[str, str] | None = None):
        """port: None = the replica's own addresses (127.0.10.N and 127.0.11.N on
        `replica_port()`: 8470 unless GOVCRAWL_REPLICA_PORT says otherwise);
        an int binds the same IPs on that port instead (0 = any free port), for parallel test
        runs. Pages still name the contract hosts in absolute links and canonicals.
        faults: {portal key: fault} (portalsim/faults.py); `server.faults.set(key, fault)`
        changes them while serving."""
        self.replica = replica
        self.faults = Faults(replica, faults)
        self.port = port
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self._bound: dict[str, str] = {}
        # requests served, by contract URL ("http://127.0.10.14:PORT/path"): what a test can
        # tell was never asked for (the asset host's off-portal file)
        self.requests: Counter[str] = Counter()

    def start(self) -> "ReplicaServer":
        if self._servers:  # already running (start() then `with server:`)
            return self
        try:
            hosts = [host for portal in self.replica.portals for host in (portal.host, portal.alias_host)]
            if not self.replica.layouts:  # the asset host of the family portals (their attachments)
                hosts.append(self.replica.asset_host)
            for host in hosts:
                addr, port = host.rsplit(":", 1)
                bind_port = int(port) if self.port is None else self.port
                srv = _Server((addr, bind_port), _handler_for(self.faults, host, self.requests))
                self._bound[host] = f"{addr}:{srv.server_address[1]}"
                thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                                          name=f"portalsim-{host}", daemon=True)
                thread.start()
                self._servers.append((srv, thread))
        except OSError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for srv, thread in self._servers:
            srv.shutdown()
            srv.server_close()
            thread.join(timeout=5)
        self._servers.clear()
        self._bound.clear()

    def __enter__(self) -> "ReplicaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _portal(self, key: str):
        for p in self.replica.portals:
            if p.key == key:
                return p
        raise KeyError(f"unknown portal key {key!r} (choose one of: {', '.join(p.key for p in self.replica.portals)})")

    def base_url(self, key: str) -> str:
        host = self._portal(key).host
        return f"http://{self._bound.get(host, host)}"

    def alias_base_url(self, key: str) -> str:
        host = self._portal(key).alias_host
        return f"http://{self._bound.get(host, host)}"
