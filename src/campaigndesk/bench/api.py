"""API benchmarks: requests per second for the rollup endpoint and a record list, against
a minimal Django view on the same server as the ceiling.

The server is the one ``runserver`` uses (Django's threaded WSGI server, HTTP/1.1
keep-alive; gunicorn is not installed) in a subprocess on the bench database, with DEBUG
off, persistent database connections (CONN_MAX_AGE=60, as a deployment would have) and
TCP_NODELAY (see ``serve``). The client is Python: a few threads, each
with one keep-alive connection, sending the same request in a loop for a fixed time;
every answer must be 200. Machine clients authenticate with an API token (of the office
user of the province in the ledger benchmark: the answers are scoped, and narrowed to
one county by the region filter). The ceiling is /healthz,
the smallest view there is (one ``SELECT 1``), through the same middleware.

The data is the ledger benchmark's (generated or reused at the same scale).
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass

from django.db import connection

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.accounts.tokens import api_token_create, api_token_revoke

from . import ledger

Row = tuple[str, float, str, str]

THREADS = 2
# The server process's program (Django is set up before this module is imported).
SERVE = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'campaigndesk.settings'); "
    "django.setup(); from campaigndesk.bench.api import serve; serve({port})"
)


@dataclass
class Load:
    requests: int
    seconds: float
    errors: list[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mean_ms(self) -> float:
        return self.seconds * THREADS * 1000 / self.requests if self.requests else float("nan")


def hammer(base_url: str, path: str, *, token: str | None, seconds: float) -> Load:
    """GET ``path`` from ``THREADS`` keep-alive connections for ``seconds``."""
    url = urllib.parse.urlsplit(base_url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    counts = [0] * THREADS
    errors: list[str] = []
    start_line = threading.Barrier(THREADS + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        start_line.wait()
        try:
            while time.perf_counter() < deadline[0]:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    errors.append(f"{response.status} {body[:200]!r}")
                    return
                counts[index] += 1
        except (OSError, http.client.HTTPException) as error:
            errors.append(repr(error))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    return Load(sum(counts), time.perf_counter() - began, errors)


def database_url() -> str:
    """The current database as a DATABASE_URL for the server subprocess."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(s["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("An in-memory SQLite database cannot be shared with a server.")
        return f"sqlite:///{os.path.abspath(name)}"
    user = urllib.parse.quote(s.get("USER") or "")
    password = urllib.parse.quote(s.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Django's threaded development server (runserver's own WSGI server and handler) on
    the current database, in a subprocess; see ``serve``."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE.format(port=self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                error = self.log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the bench server exited: {error}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the bench server did not answer /healthz in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def __enter__(self) -> "Server":
        try:
            self.wait_ready()
        except Exception:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(port: int) -> None:
    """The server process: ``runserver``'s threaded WSGI server and request handler, with
    TCP_NODELAY on each connection (without it, a keep-alive client waits 40 ms for every
    answer: the response goes out in two writes and Nagle holds the second until the
    client's delayed ACK) and without a log line per request."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Handler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    class NoDelayServer(ThreadedWSGIServer):
        def get_request(self):
            sock, address = super().get_request()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock, address

    httpd = NoDelayServer(("127.0.0.1", port), Handler, ipv6=False)
    httpd.set_app(get_wsgi_application())
    httpd.serve_forever()


def run(scale: float = 1.0, base_url: str | None = None) -> list[Row]:
    """``base_url``: measure a server already running on this database (the tests use
    their live server) instead of starting one."""
    data = ledger.ensure_data(scale)
    world = data.world
    # The provincial office: a county office does not see a campaign run over the whole
    # province (campaign_list shows an office the campaigns over its own subtree).
    user = world.users["province"]
    new = api_token_create(actor=SYSTEM, user=user, name="bench")
    seconds = 5.0 if scale >= 0.01 else 0.5
    campaign = world.campaign.pk
    region = world.county.code
    endpoints = [
        ("minimal view /healthz (ceiling)", "/healthz", None),
        (
            f"rollup, county {region} totals",
            f"/api/v1/campaigns/{campaign}/rollup?region={region}",
            new.secret,
        ),
        (
            f"rollup, county {region} by township",
            f"/api/v1/campaigns/{campaign}/rollup?region={region}&group_by=township",
            new.secret,
        ),
        (
            f"events list, county {region}, page 1 of 50",
            f"/api/v1/campaigns/{campaign}/events?region={region}",
            new.secret,
        ),
    ]
    try:
        if base_url is None:
            with Server() as server:
                loads = _measure(server.base_url, endpoints, seconds)
        else:
            loads = _measure(base_url, endpoints, seconds)
    finally:
        api_token_revoke(actor=SYSTEM, token=new.token)
    rows: list[Row] = []
    ceiling = loads[0].rps
    for (label, _path, _token), load in zip(endpoints, loads, strict=True):
        rows.append((f"API {label}", load.rps, "req/s", ""))
        rows.append((f"  mean latency ({THREADS} clients)", load.mean_ms, "ms", ""))
        if load is not loads[0]:
            rows.append(("  / ceiling", load.rps / ceiling if ceiling else 0.0, "x", ""))
    return rows


def _measure(base_url: str, endpoints, seconds: float) -> list[Load]:
    loads = []
    for label, path, token in endpoints:
        hammer(base_url, path, token=token, seconds=min(seconds, 1.0))  # warm
        load = hammer(base_url, path, token=token, seconds=seconds)
        if load.errors or not load.requests:
            raise RuntimeError(f"{label}: {path} failed: {load.errors[:3]}")
        loads.append(load)
    return loads
