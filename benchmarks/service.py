"""Service throughput and latency in one run: ``POST /analyze`` of the sample article at concurrency 1 and 8,
beside the pipeline's and the CLI's throughput on the same article.

    nice .venv/bin/python benchmarks/service.py [--requests 40] [--store-dir DIR] [--only entities]

The server is ``presslens serve`` in its own process (fresh SQLite store, default settings: one analysis at a
time, off the event loop); this process is the load generator, over loopback with keep-alive connections.
Each request sends the sample article as JSON (``save`` on: the analysis is also written to the store) and
waits for the analysis JSON. ``--requests`` are timed at each concurrency after a short warm-up; p99 of a few
dozen requests is close to the maximum, so it is reported with the sample size.

For comparison, the same work in this process without HTTP (``ingest_text`` + ``Pipeline.analyze`` +
``to_json``, what the server does per request), and ``presslens analyze --format json`` over a directory of
distinct copies of the article (one process; start-up and model load included, and reported separately).
The load generator and the server share the machine's cores, as they would on a laptop; the load average is
printed because on a shared machine the figures are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from presslens.ingest import ingest_text
from presslens.pipeline import Pipeline

REPO = Path(__file__).resolve().parent.parent
#: The ``presslens`` command of this environment.
PRESSLENS = str(Path(sys.executable).with_name("presslens"))
SAMPLE = REPO / "examples" / "rt-bakhmut" / "article.txt"
WARMUP = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def load(base_url: str, body: dict[str, object], concurrency: int,
               requests: int) -> tuple[float, list[float], int]:
    """``requests`` POSTs from ``concurrency`` workers; (wall seconds, latencies in seconds, non-200 answers)."""
    latencies: list[float] = []
    failures = 0
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        for _ in range(WARMUP):
            (await client.post("/analyze", json=body)).raise_for_status()

        async def worker() -> None:
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.post("/analyze", json=body)
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def start_server(store: Path, port: int, only: list[str]) -> subprocess.Popen[bytes]:
    command = [PRESSLENS, "serve", "--store", str(store), "--port", str(port),
               "--log-level", "warning", *(f"--only={name}" for name in only)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 120 s")


def pipeline_rate(text: str, count: int, only: list[str]) -> tuple[float, list[str]]:
    pipeline = Pipeline(only=only or None)
    for _ in range(WARMUP):
        pipeline.analyze(ingest_text(text, source="bench")).to_json()
    started = time.perf_counter()
    for _ in range(count):
        pipeline.analyze(ingest_text(text, source="bench")).to_json()
    return count / (time.perf_counter() - started), pipeline.names


def cli_rate(text: str, count: int, folder: Path, only: list[str]) -> tuple[float, float]:
    """(articles/s of the whole command, seconds of the command on one article = start-up + model load)."""
    inputs = folder / "articles"
    inputs.mkdir()
    for index in range(count):
        (inputs / f"copy-{index:03}.txt").write_text(f"{text}\n\nCopy {index}.", encoding="utf-8")
    command = [PRESSLENS, "analyze", "--format", "json",
               *(f"--only={name}" for name in only)]
    started = time.perf_counter()
    subprocess.run([*command, str(inputs / "copy-000.txt")], check=True, stdout=subprocess.DEVNULL)
    one = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([*command, str(inputs)], check=True, stdout=subprocess.DEVNULL)
    return count / (time.perf_counter() - started), one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per concurrency level")
    parser.add_argument("--store-dir", type=Path, default=None, help="where the benchmark's store goes (temp dir)")
    parser.add_argument("--only", action="append", default=[], help="run only these analysers (repeatable)")
    args = parser.parse_args()
    text = SAMPLE.read_text(encoding="utf-8")
    words = len(text.split())
    print(f"sample: {SAMPLE.relative_to(REPO)} ({words} words, {len(text.encode()):,} bytes); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)

    rate, names = pipeline_rate(text, args.requests, args.only)
    print(f"pipeline in-process (ingest + analyse + JSON, analysers {','.join(names)}): {rate:.2f} articles/s "
          f"({1000 / rate:.1f} ms each, {args.requests} articles)", flush=True)

    with tempfile.TemporaryDirectory(dir=args.store_dir) as folder:
        cli, one = cli_rate(text, args.requests, Path(folder), args.only)
        print(f"cli presslens analyze --format json, {args.requests} files: {cli:.2f} articles/s "
              f"(one file takes {one:.2f} s: start-up and model load)", flush=True)

        port = free_port()
        server = start_server(Path(folder) / "service.db", port, args.only)
        try:
            body = {"text": text}
            for concurrency in (1, 8):
                wall, latencies, failures = asyncio.run(
                    load(f"http://127.0.0.1:{port}", body, concurrency, args.requests)
                )
                rps = len(latencies) / wall
                p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000
                print(f"service POST /analyze concurrency {concurrency}: {rps:.2f} requests/s, "
                      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                      f"({len(latencies)} requests, {failures} not 200), {rps / rate:.0%} of the in-process pipeline",
                      flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
