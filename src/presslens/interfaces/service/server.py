"""Running the service inside another program (a notebook, a test) on a background thread.

>>> with background_server(create_app(settings)) as base_url:
...     httpx.get(f"{base_url}/healthz")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


@contextmanager
def background_server(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0,
                      startup_timeout_s: float = 60.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a thread; yields its base URL once it accepts requests, stops it on exit.

    ``port=0`` picks a free port (the socket is bound here, so nothing can take it in between).
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False, proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="presslens-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError("the service failed to start (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the service did not start within {startup_timeout_s:g} s")
        time.sleep(0.02)
    display_host = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{display_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
