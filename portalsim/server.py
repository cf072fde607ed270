"""ReplicaServer: one ThreadingHTTPServer per primary and alias address, each in its own thread."""
from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portalsim.replica import Replica

logger = logging.getLogger(__name__)


def _handler_for(replica: Replica, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Microsoft-IIS/8.5"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def _respond(self, with_body: bool) -> None:
            status, headers, body = replica.render(host, self.path)
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

    def __init__(self, replica: Replica):
        self.replica = replica
        self._servers: list[tuple[_Server, threading.Thread]] = []

    def start(self) -> "ReplicaServer":
        try:
            for portal in self.replica.portals:
                for host in (portal.host, portal.alias_host):
                    addr, port = host.rsplit(":", 1)
                    srv = _Server((addr, int(port)), _handler_for(self.replica, host))
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

    def __enter__(self) -> "ReplicaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def base_url(self, key: str) -> str:
        return self.replica.base_url(key)

    def alias_base_url(self, key: str) -> str:
        return next(f"http://{p.alias_host}" for p in self.replica.portals if p.key == key)
