"""The service over real HTTP: uvicorn on a free loopback port (a background thread), exercised with httpx."""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from presslens.corpus.store import Store
from presslens.interfaces.service import FetchPolicy, ServiceSettings, create_app
from presslens.interfaces.service.fetch import FetchError, FetchRefused, UrlFetcher, is_public_address
from presslens.interfaces.service.server import background_server

TOKEN = "s3cret-token"


@contextmanager
def serve(pipeline: Any, store: Path, **settings: Any) -> Iterator[httpx.Client]:
    """A real server for ``settings`` and an HTTP client bound to it."""
    app = create_app(ServiceSettings(store=str(store), **settings), pipeline=pipeline)
    with background_server(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service") / "store.db"


@pytest.fixture(scope="module")
def client(pipeline: Any, store_path: Path) -> Iterator[httpx.Client]:
    """The default server: SSRF guard on, no token."""
    with serve(pipeline, store_path) as client:
        yield client


@pytest.fixture(scope="module")
def sample_text(sample_path: Path) -> str:
    return sample_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def analysed(client: httpx.Client, sample_text: str) -> dict[str, Any]:
    response = client.post("/analyze", json={"text": sample_text, "published": "2023-03-29"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def spans_of(value: Any) -> Iterator[dict[str, Any]]:
    """Every span-like object ({start, end, text}) in a JSON value."""
    if isinstance(value, dict):
        if {"start", "end", "text"} <= value.keys() and isinstance(value["start"], int):
            yield value
        for item in value.values():
            yield from spans_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from spans_of(item)


class PageServer(http.server.ThreadingHTTPServer):
    """A loopback web site for URL fetches: path -> (status, headers, body)."""

    def __init__(self, pages: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        pages_ = pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = pages_.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def site(sample_text: str) -> Iterator[PageServer]:
    html = (
        "<html><head><title>Zelensky on Artyomovsk</title></head><body><nav>Home | World</nav><article>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in sample_text.split("\n\n")[1:])
        + "</article><footer>© RT</footer></body></html>"
    ).encode()
    pages = {
        "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, html),
        "/moved": (302, {"Location": "/article"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n"),
        "/huge": (200, {"Content-Type": "text/plain"}, b"word " * 300_000),
    }
    server = PageServer(pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


# -- service basics ---------------------------------------------------------------------------------------------


def test_healthz_names_the_analysers_and_sets_safety_headers(client: httpx.Client, pipeline: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "version": response.json()["version"], "analysers": pipeline.names, "store": "sqlite",
        "jobs_running": 0,
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_binds_loopback_by_default() -> None:
    assert ipaddress.ip_address(ServiceSettings().host).is_loopback


def test_openapi_spec_lists_every_endpoint(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/analyze", "/articles", "/articles/{article_id}", "/compare", "/stories", "/outlets/{name}",
            "/healthz", "/jobs", "/jobs/{job_id}", "/jobs/{job_id}/resume"} <= paths.keys()


def test_ui_page_and_assets_are_served(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="analyze-form"' in page.text and "/static/app.js" in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "textContent" in script.text
    assert ".innerHTML" not in script.text  # untrusted text never becomes markup
    assert client.get("/static/app.css").status_code == 200


# -- analysis -----------------------------------------------------------------------------------------------------


def test_analyze_text_returns_the_contract_with_exact_offsets(analysed: dict[str, Any], pipeline: Any) -> None:
    article = analysed["article"]
    assert article["outlet"] == "RT"  # from the "(RT)" tag that ingest removed
    assert article["text"].startswith("If Russia captures Artyomovsk")
    assert "© AP Photo" not in article["text"]
    sections = [name for name in ("entities", "quotes", "sourcing", "naming", "techniques") if name in analysed]
    assert sections and analysed["errors"] == []
    checked = 0
    for name in sections:
        for span in spans_of(analysed[name]):
            assert article["text"][span["start"]:span["end"]] == span["text"]
            checked += 1
    assert checked > 20


def test_analysed_article_is_stored_and_listed_with_filters(client: httpx.Client, analysed: dict[str, Any]) -> None:
    article_id = analysed["article"]["id"]
    stored = client.get(f"/articles/{article_id}")
    assert stored.status_code == 200 and stored.json() == analysed

    def ids(**filters: str) -> list[str]:
        response = client.get("/articles", params=filters)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["articles"]]

    assert article_id in ids()
    assert article_id in ids(outlet="RT")
    assert article_id not in ids(outlet="Associated Press")
    assert article_id in ids(since="2023-03-01", until="2023-03")
    assert article_id not in ids(since="2023-04-01")
    entity = analysed["entities"][0]["canonical"]
    assert article_id in ids(entity=entity.upper())  # case-insensitive
    assert article_id not in ids(entity="Atlantis")
    if analysed.get("quotes"):
        speaker = next(q["speaker"] for q in analysed["quotes"] if q["speaker"])
        assert article_id in ids(speaker=speaker)
        assert article_id not in ids(speaker="Nobody Atall")
    if analysed.get("naming"):
        assert article_id in ids(convention=analysed["naming"][0]["convention"])
    if analysed.get("sourcing"):
        assert article_id in ids(sourcing=analysed["sourcing"][0]["label"])
    listed = client.get("/articles", params={"outlet": "RT"}).json()
    assert listed["total"] >= 1 and listed["articles"][0]["counts"]["entities"] == len(analysed["entities"])


def test_analyze_html_extracts_the_main_text(client: httpx.Client, sample_text: str) -> None:
    body = "".join(f"<p>{p}</p>" for p in sample_text.split("\n\n")[1:4])
    html = (f"<html><head><title>A headline</title></head><body><nav>Menu Login</nav><article>{body}</article>"
            "</body></html>")
    response = client.post("/analyze", json={"html": html, "outlet": "Test Wire", "save": False})
    assert response.status_code == 200, response.text
    article = response.json()["article"]
    assert article["outlet"] == "Test Wire" and article["title"] == "A headline"
    assert "Ukrainian President Vladimir Zelensky" in article["text"] and "Menu Login" not in article["text"]
    assert client.get(f"/articles/{article['id']}").status_code == 404  # save=false keeps it out of the store


def test_report_format_html_is_escaped_and_sandboxed(client: httpx.Client, sample_text: str) -> None:
    hostile = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    text = f"{sample_text}\n\nA hostile title, same story."
    response = client.post("/analyze", json={"text": text, "title": hostile, "id": "hostile-1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    report = client.get("/articles/hostile-1", params={"format": "html"})
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "sandbox" in report.headers["content-security-policy"]
    assert "<script>alert" not in report.text and "<img src=x" not in report.text
    assert "&lt;script&gt;alert" in report.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "a", "url": "https://example.com/"}, "exactly one of text, html or url"),
        ({}, "exactly one of text, html or url"),
        ({"text": "   \n "}, "empty input"),
        ({"text": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_analyze_requests_get_a_clear_4xx(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    response = client.post("/analyze", json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_unknown_things_are_404(client: httpx.Client) -> None:
    for path in ("/articles/no-such-article", "/jobs/0123abcd", "/outlets/No Such Outlet"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no " in response.json()["detail"]


# -- limits and auth ----------------------------------------------------------------------------------------------


def test_oversized_bodies_get_413_with_or_without_content_length(pipeline: Any, tmp_path: Path) -> None:
    with serve(pipeline, tmp_path / "s.db", max_body_bytes=20_000) as client:
        big = json.dumps({"text": "word " * 10_000}).encode()
        declared = client.post("/analyze", content=big, headers={"Content-Type": "application/json"})
        assert declared.status_code == 413
        assert "20,000-byte limit" in declared.json()["detail"]

        def chunks() -> Iterator[bytes]:  # a streamed (chunked) body has no Content-Length to check up front
            yield b'{"text": "'
            for _ in range(100):
                yield b"word " * 100
            yield b'"}'

        streamed = client.post("/analyze", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert "20,000-byte limit" in streamed.json()["detail"]
        small = client.post("/analyze", json={"text": "Putin said the talks failed.", "save": False})
        assert small.status_code == 200


def test_token_is_required_for_writes_only(pipeline: Any, tmp_path: Path) -> None:
    with serve(pipeline, tmp_path / "s.db", token=TOKEN) as client:
        body = {"text": "Zelensky said the city would hold.", "save": False}
        missing = client.post("/analyze", json=body)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in missing.json()["detail"]
        assert client.post("/analyze", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/jobs", json={"items": [{"text": "x"}]}).status_code == 401
        assert client.post("/analyze", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/articles").status_code == 200  # reads stay open
        assert client.get("/healthz").status_code == 200


# -- URL fetching and SSRF ----------------------------------------------------------------------------------------


def test_default_server_refuses_to_fetch_loopback_and_non_http_urls(client: httpx.Client, site: PageServer) -> None:
    for url, reason in [
        (f"{site.base}/article", "non-public address 127.0.0.1"),
        ("http://localhost:9/", "non-public address"),
        ("http://[::1]:9/", "non-public address ::1"),
        ("http://169.254.169.254/latest/meta-data/", "non-public address 169.254.169.254"),
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/a.txt", "only http and https"),
    ]:
        response = client.post("/analyze", json={"url": url})
        assert response.status_code == 400, url
        assert reason in response.json()["detail"], response.json()
        assert "--allow-private-fetch" in response.json()["detail"] or "only http" in response.json()["detail"]


def test_private_fetch_when_allowed_follows_redirects_within_limits(pipeline: Any, tmp_path: Path,
                                                                    site: PageServer) -> None:
    fetch = FetchPolicy(allow_private=True, max_redirects=3, max_bytes=1_000_000)
    with serve(pipeline, tmp_path / "s.db", fetch=fetch) as client:
        response = client.post("/analyze", json={"url": f"{site.base}/moved", "outlet": "RT"})
        assert response.status_code == 200, response.text
        article = response.json()["article"]
        assert article["url"] == f"{site.base}/article"  # the final URL after the redirect
        assert article["title"] == "Zelensky on Artyomovsk" and "Home | World" not in article["text"]
        for path, reason in [
            ("/loop", "more than 3 redirects"),
            ("/image", "is not HTML or plain text"),
            ("/huge", "over the 1,000,000-byte cap"),
            ("/missing", "HTTP 404"),
        ]:
            failed = client.post("/analyze", json={"url": site.base + path})
            assert failed.status_code == 422, path
            assert reason in failed.json()["detail"]
        refused = client.post("/analyze", json={"url": f"{site.base}/to-file"})
        assert refused.status_code == 400 and "only http and https" in refused.json()["detail"]


def fake_resolver(table: dict[str, list[str]]) -> Callable[[str, int], Any]:
    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address(address) for address in table[host]]

    return resolve


@pytest.mark.anyio
async def test_every_redirect_hop_and_every_resolved_address_is_checked() -> None:
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/story":
            return httpx.Response(302, headers={"Location": "http://intranet.example/admin"})
        return httpx.Response(200, text="Putin said the talks were over.", headers={"Content-Type": "text/plain"})

    resolver = fake_resolver({
        "news.example": ["93.184.215.14"],
        "intranet.example": ["10.0.0.7"],
        "split.example": ["93.184.215.14", "192.168.1.1"],
        "mapped.example": ["::ffff:127.0.0.1"],
    })
    fetcher = UrlFetcher(FetchPolicy(), resolver=resolver, transport=httpx.MockTransport(respond))
    page = await fetcher.fetch("http://news.example/page")
    # the connection goes to the checked address, the name travels in the Host header
    assert seen[-1].url.host == "93.184.215.14" and seen[-1].headers["host"] == "news.example"
    assert page.url == "http://news.example/page" and page.kind == "text"
    with pytest.raises(FetchRefused, match=r"non-public address 10\.0\.0\.7"):
        await fetcher.fetch("http://news.example/story")  # a public first hop redirecting inside
    assert [r.url.path for r in seen[-1:]] == ["/story"]  # nothing was sent to the private address
    with pytest.raises(FetchRefused, match=r"192\.168\.1\.1"):
        await fetcher.fetch("http://split.example/")
    with pytest.raises(FetchRefused, match="::ffff:7f00:1"):
        await fetcher.fetch("http://mapped.example/")
    await fetcher.aclose()


@pytest.mark.anyio
async def test_a_slow_server_hits_the_fetch_deadline() -> None:
    import anyio

    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        return httpx.Response(200, text="late")

    fetcher = UrlFetcher(FetchPolicy(timeout_s=0.2), resolver=fake_resolver({"slow.example": ["93.184.215.14"]}),
                         transport=httpx.MockTransport(hang))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no complete answer within 0\.2 s"):
        await fetcher.fetch("https://slow.example/")
    assert time.monotonic() - started < 2
    await fetcher.aclose()


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True), ("127.0.0.1", False),
     ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.0.1", False), ("169.254.169.254", False),
     ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False),
     ("fc00::1", False), ("::ffff:10.0.0.1", False), ("2002:7f00:1::", False)],
)
def test_public_address_check(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


# -- outlets --------------------------------------------------------------------------------------------------


def test_outlet_list_and_profile_over_time(client: httpx.Client, analysed: dict[str, Any]) -> None:
    outlets = client.get("/outlets").json()["outlets"]
    assert any(o["name"] == "RT" and o["articles"] >= 1 for o in outlets)
    profile = client.get("/outlets/RT").json()
    assert profile["overall"]["outlet"] == "RT" and profile["overall"]["articles"] >= 1
    assert "2023-03" in [p["period"] for p in profile["periods"]]
    yearly = client.get("/outlets/RT", params={"period": "year"}).json()
    assert [p["period"] for p in yearly["periods"]] == ["2023"]


# -- jobs -----------------------------------------------------------------------------------------------------


def wait_for_job(client: httpx.Client, job_id: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if until(job):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not get there: {job}")


def variants(sample_text: str, n: int) -> list[dict[str, str]]:
    """``n`` distinct articles (distinct content hashes) made from the sample."""
    return [{"text": f"{sample_text}\n\nEditor's note {i}.", "outlet": "Job Wire"} for i in range(n)]


def test_job_runs_items_in_the_background_and_records_failures(client: httpx.Client, sample_text: str) -> None:
    items = [*variants(sample_text, 2), {"text": "  "}, {"url": "http://127.0.0.1:9/x"}]
    created = client.post("/jobs", json={"items": items})
    assert created.status_code == 202
    assert created.json()["total"] == 4 and created.json()["status"] in {"queued", "running", "done"}
    health = client.get("/healthz")  # the event loop answers while the job runs in a worker thread
    assert health.status_code == 200
    job = wait_for_job(client, created.json()["id"], lambda j: j["status"] == "done")
    assert job["done"] == 4 and job["failed"] == 2 and len(job["articles"]) == 2
    assert [f["item"] for f in job["failures"]] == [2, 3]
    assert "empty input" in job["failures"][0]["reason"]
    assert "non-public address" in job["failures"][1]["reason"]
    for article_id in job["articles"]:
        assert client.get(f"/articles/{article_id}").status_code == 200
    assert job["id"] in [j["id"] for j in client.get("/jobs").json()]
    conflict = client.post(f"/jobs/{job['id']}/resume")
    assert conflict.status_code == 409 and "not interrupted" in conflict.json()["detail"]


def test_jobs_survive_a_restart_and_resume(pipeline: Any, tmp_path: Path, sample_text: str) -> None:
    store_file = tmp_path / "jobs.db"
    items = variants(sample_text, 8)
    with serve(pipeline, store_file) as client:
        job_id = client.post("/jobs", json={"items": items}).json()["id"]
        wait_for_job(client, job_id, lambda j: j["done"] >= 2)
    # the server stopped mid-job: a new server on the same store shows it interrupted, with its progress
    with serve(pipeline, store_file) as client:
        job = client.get(f"/jobs/{job_id}").json()
        assert job["status"] == "interrupted" and 2 <= job["done"] < len(items)
        assert "resume" in job["error"]
        assert client.post(f"/jobs/{job_id}/resume").status_code == 200
        job = wait_for_job(client, job_id, lambda j: j["status"] == "done")
        assert job["done"] == len(items) and job["failed"] == 0
        assert len(set(job["articles"])) == len(items)
        assert client.get("/articles", params={"outlet": "Job Wire"}).json()["total"] == len(items)


def test_a_killed_servers_running_job_is_marked_interrupted_and_resumed_at_start(pipeline: Any, tmp_path: Path,
                                                                                sample_text: str) -> None:
    store_file = tmp_path / "killed.db"
    items = variants(sample_text, 3)
    with Store.open(store_file) as store:  # what a server killed with SIGKILL after one item leaves behind
        job_id = store.create_job("analyze", {"items": items})
        store.update_job(job_id, status="running", progress=1 / 3,
                         result={"done": 1, "articles": ["done-before"], "failures": [], "interrupted": False})
    with serve(pipeline, store_file, resume_jobs=True) as client:
        job = wait_for_job(client, job_id, lambda j: j["status"] == "done")
        assert job["done"] == 3 and job["articles"][0] == "done-before" and len(job["articles"]) == 3
        # items before the interruption were not analysed again
        assert client.get("/articles", params={"outlet": "Job Wire"}).json()["total"] == 2


# -- the command --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_presslens_serve_binds_loopback_and_reads_the_token_from_the_environment(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).with_name("presslens")), "serve", "--port", "0", "--only", "entities",
               "--store", str(tmp_path / "cli.db")]
    env = {**os.environ, "PRESSLENS_TOKEN": TOKEN}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        listening = None
        for line in process.stderr:  # uvicorn logs the address it bound once it accepts requests
            listening = re.search(r"Uvicorn running on http://([\d.]+):(\d+)", line)
            if listening:
                break
        assert listening is not None, "the server did not start"
        assert listening.group(1) == "127.0.0.1"
        base_url = f"http://127.0.0.1:{listening.group(2)}"
        assert httpx.get(f"{base_url}/healthz").json()["analysers"] == ["entities"]
        body = {"text": "Zelensky said Bakhmut would hold.", "save": False}
        assert httpx.post(f"{base_url}/analyze", json=body).status_code == 401
        authorised = httpx.post(f"{base_url}/analyze", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert authorised.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- comparison and stories ---------------------------------------------------------------------------------------

ADDED_PARAGRAPH = "The fighting around the city has lasted for months, Ukrainian officials said on Thursday."
DROPPED_QUOTE = "“Our society will push me to have compromise with them.”"


def rewritten(sample_text: str) -> str:
    """The sample as another outlet might run it: a quote dropped, Ukrainian names, a paragraph added."""
    text = sample_text.replace(DROPPED_QUOTE, "").replace("Artyomovsk", "Bakhmut").replace("Kiev", "Kyiv")
    return f"{text}\n\n{ADDED_PARAGRAPH}"


@pytest.fixture(scope="module")
def embeddings() -> None:
    from presslens.corpus.embeddings import EmbeddingsUnavailableError, load_embedder

    try:
        load_embedder()
    except EmbeddingsUnavailableError as exc:
        pytest.skip(str(exc))


def test_stories_cluster_and_compare_side_by_side(pipeline: Any, tmp_path: Path, sample_text: str,
                                                  embeddings: None) -> None:
    with serve(pipeline, tmp_path / "stories.db") as client:
        original = client.post("/analyze", json={"text": sample_text, "published": "2023-03-29"}).json()
        other = client.post("/analyze", json={"text": rewritten(sample_text), "outlet": "Wire",
                                              "published": "2023-03-30"}).json()
        assert client.get("/stories").json() == {"stories": []}  # nothing clustered until asked
        update = client.post("/stories/refresh")
        assert update.status_code == 200 and update.json()["added"] == 2 and update.json()["total_stories"] == 1
        [story] = client.get("/stories").json()["stories"]
        assert story["size"] == 2 and story["outlets"] == {"RT": 1, "Wire": 1}
        view = client.get(f"/stories/{story['id']}").json()
        keys = {original["article"]["content_hash"], other["article"]["content_hash"]}
        assert {article["key"] for article in view["articles"]} == keys
        naming = view["differences"]["naming"]
        assert "Artyomovsk" in naming["Bakhmut"]["RT"] and naming["Bakhmut"]["Wire"] == ["Bakhmut"]
        assert naming["Kyiv"] == {"RT": ["Kiev"], "Wire": ["Kyiv"]}

        response = client.post("/compare", json={"articles": [original["article"]["id"],
                                                              other["article"]["content_hash"]]})
        assert response.status_code == 200, response.text
        [pair] = response.json()["pairs"]
        texts = {"a": original["article"]["text"], "b": other["article"]["text"]}
        assert pair["same_story"]["same"] is True
        only = {(o["side"], o["span"]["text"].strip()) for o in pair["passages_only"]}
        assert any(side == "b" and ADDED_PARAGRAPH in text for side, text in only)
        assert any(side == "a" and "Our society will push me" in text for side, text in only)
        assert [q["quote"]["content"]["text"] for q in pair["quotes_only"] if q["side"] == "a"] == [
            DROPPED_QUOTE.strip("“”")]
        assert {d["canonical"] for d in pair["naming"]} == {"Bakhmut", "Kyiv"}
        for match in pair["passages"]:
            for side in ("a", "b"):
                span = match[side]
                assert texts[side][span["start"]:span["end"]] == span["text"]

        assert client.post("/compare", json={"articles": ["no-such", other["article"]["id"]]}).status_code == 404
        too_few = client.post("/compare", json={"articles": [other["article"]["id"]]})
        assert too_few.status_code == 422 and "at least 2" in too_few.json()["detail"]
        assert client.get("/stories/no-such-story").status_code == 404
