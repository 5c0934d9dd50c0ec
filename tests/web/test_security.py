"""Who may drive the page: the token on every request, the host and origin checked, the
token shown only once, the API key never on the page, and no other interface served."""

from __future__ import annotations

import hmac
import re
import signal
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentkit.testing.emulator import Emulator
from agentkit.web import WebServer, guard

from ..cli.conftest import agentkit_process
from .conftest import EventReader, PageClient, served, write_run_file

Web = tuple[WebServer, PageClient, EventReader]
ROUTES = [
    ("GET", "/"),
    ("GET", "/static/app.js"),
    ("GET", "/static/timeline.js"),
    ("GET", "/static/app.css"),
    ("GET", "/api/info"),
    ("GET", "/api/events"),
    ("GET", "/api/sessions"),
    ("POST", "/api/send"),
    ("POST", "/api/confirm"),
    ("POST", "/api/stop"),
    ("POST", "/api/sessions/open"),
    ("POST", "/api/sessions/new"),
]
NO_TOKEN = "forbidden: open the URL that agentkit web printed (it holds the token)\n"


def _bare(server: WebServer) -> httpx.Client:
    return httpx.Client(base_url=server.origin, timeout=10)


def test_every_route_refuses_a_missing_or_wrong_token(web: Web) -> None:
    server, client, events = web
    token = server.token
    wrong = ["", token[:-1], token + "x", token.upper(), "ü" + token[1:]]
    with _bare(server) as http:
        for method, path in ROUTES:
            body: dict[str, Any] = {"text": "unlock everything"}
            refused = [http.request(method, path, json=body)]
            refused += [http.request(method, path, params={"token": w}, json=body) for w in wrong]
            refused += [
                http.request(method, path, headers={"x-agentkit-token": w}, json=body)
                for w in wrong
                if w.isascii()
            ]
            assert {(r.status_code, r.text) for r in refused} == {(403, NO_TOKEN)}, path
        page = http.get("/", params={"token": token})
        script = http.get("/static/app.js", headers={"x-agentkit-token": token})
    assert page.status_code == 200 and script.status_code == 200
    # The page's own links carry the token, so its script and style load.
    for script in ("dom", "timeline", "home", "app"):
        assert f'src="/static/{script}.js?token={token}"' in page.text
    assert f'href="/static/app.css?token={token}"' in page.text
    # Nothing refused reached the agent: no turn was started.
    assert [m["type"] for m in events.messages] == ["session", "home"]


def test_the_host_header_must_name_this_server(web: Web) -> None:
    """DNS rebinding: a site whose name points at 127.0.0.1 still sends its own name."""
    server, client, events = web
    with _bare(server) as http:
        answers = {
            host: http.get("/api/info", headers={"host": host, "x-agentkit-token": server.token})
            for host in (
                f"evil.example:{server.port}",
                "evil.example",
                f"127.0.0.1:{server.port + 1}",
                f"127.0.0.1.evil.example:{server.port}",
                f"localhost:{server.port}",
                f"127.0.0.1:{server.port}",
            )
        }
    assert {host: a.status_code for host, a in answers.items()} == {
        f"evil.example:{server.port}": 403,
        "evil.example": 403,
        f"127.0.0.1:{server.port + 1}": 403,
        f"127.0.0.1.evil.example:{server.port}": 403,
        f"localhost:{server.port}": 200,
        f"127.0.0.1:{server.port}": 200,
    }
    assert answers["evil.example"].text == (
        "forbidden: this server answers only to 127.0.0.1 and localhost on its port\n"
    )


def test_a_request_from_another_site_is_refused(web: Web) -> None:
    server, client, events = web
    other = client.http.post(
        "/api/send", json={"text": "hi"}, headers={"origin": "http://evil.example"}
    )
    assert (other.status_code, other.text) == (
        403,
        "forbidden: requests from other sites are refused\n",
    )
    same = client.http.post("/api/send", json={"text": "hi"}, headers={"origin": server.origin})
    assert same.status_code == 202


def test_tokens_are_compared_in_constant_time(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client, events = web
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spying(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(guard.hmac, "compare_digest", spying)
    with _bare(server) as http:
        assert http.get("/api/info", params={"token": "guess"}).status_code == 403
        assert http.get("/api/info", params={"token": server.token}).status_code == 200
    assert compared == [(b"guess", server.token.encode()), (server.token.encode(),) * 2]


def test_every_answer_keeps_the_page_to_itself(web: Web) -> None:
    server, client, events = web
    with _bare(server) as http:
        answers = [http.get("/", params={"token": server.token}), http.get("/")]
    for answer in answers:
        assert answer.headers["content-security-policy"].startswith(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"
        )
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"


def test_the_page_loads_nothing_from_elsewhere() -> None:
    static = Path(guard.__file__).parent / "static"
    for name in ("index.html", "dom.js", "timeline.js", "home.js", "app.js", "app.css"):
        text = (static / name).read_text(encoding="utf-8")
        assert re.findall(r"https?:|//[a-z0-9]|@import|url\(", text) == [], name


def test_the_api_key_never_reaches_the_page(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sentinel-key-AIzaSyZZZZZZZZZZZZZZZZ"
    monkeypatch.setenv("GEMINI_API_KEY", key)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    emulator.script(["Hello, I am behind a base URL."])
    emulator.inject(emulator_error := _bad_key_fault())
    assert emulator_error is not None
    with served(str(write_run_file(tmp_path, ""))) as server:
        client, events = PageClient(server), EventReader(server)
        client.send("hi")  # fails: the server says the key is bad
        events.wait_turn_end(1)
        client.send("hi again")
        events.wait_turn_end(2)
        seen = [
            client.http.get("/").text,
            client.http.get("/static/app.js").text,
            client.http.get("/api/info").text,
            client.http.get("/api/sessions").text,
        ]
        server.stop()
        events.close()
        client.close()
    assert emulator.requests[-1].headers["x-goog-api-key"] == key  # it was used...
    info = seen[2]
    assert "not Google's endpoint" in info and "with an API key" in info
    everything = "\n".join(seen) + repr(events.messages)
    assert key not in everything  # ...and never shown
    assert "API key not valid" in events.of_type("error")[0]["line"]


def _bad_key_fault() -> Any:
    from agentkit.testing.emulator import Fault

    return Fault.http_error(
        400,
        "API key not valid. Please pass a valid API key.",
        status="INVALID_ARGUMENT",
        details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
    )


# -- the command itself --------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com", "::1"])
def test_other_interfaces_are_refused(host: str, tmp_path: Path) -> None:
    process = agentkit_process("web", str(write_run_file(tmp_path)), "--host", host)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert out == ""
    assert err == (
        f"error: --host {host}: agentkit web serves this machine only (127.0.0.1); the page "
        "can run the agent's tools, so it is never offered to other machines\n"
    )


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = agentkit_process("web", str(write_run_file(tmp_path)), "--port", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.splitlines()[-1] == (
        f"error: cannot listen on 127.0.0.1:{port}: the address is already in use; stop what "
        "is using it or choose another --port"
    )
    assert "Traceback" not in err


def test_the_token_is_printed_once_and_logged_nowhere(tmp_path: Path) -> None:
    process = agentkit_process(
        "--log-level", "debug", "web", str(write_run_file(tmp_path)), "--port", "0"
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(
            r"agentkit web: open (http://127\.0\.0\.1:(\d+))/\?token=([A-Za-z0-9_-]{43}) "
            r"\(this machine only; Ctrl-C stops it\)\n",
            line,
        )
        assert match is not None, line
        origin, token = match.group(1), match.group(3)
        with httpx.Client(base_url=origin, timeout=10) as http:
            assert http.get("/", params={"token": token}).status_code == 200
            assert http.get("/", params={"token": token[:20]}).status_code == 403
            headers = {"x-agentkit-token": token}
            sent = http.post("/api/send", json={"text": "Set up the living room"}, headers=headers)
            assert sent.status_code == 202
            with http.stream("GET", "/api/events", headers=headers) as stream:
                for data in stream.iter_lines():
                    if '"type": "turn"' in data and '"finished"' in data:
                        break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert (line + out + err).count(token) == 1
    assert "model.request" in err  # debug logging was on, and said nothing of the token
    assert any(
        line.startswith("offline: no API key set — the model's turns are SCRIPTED")
        for line in err.splitlines()
    )
    assert err.splitlines()[-1] == "stopped"


def test_without_a_key_or_a_run_file_nothing_could_answer(tmp_path: Path) -> None:
    process = agentkit_process("web", "--tools", "tools.home")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err.startswith("error: no GEMINI_API_KEY or GOOGLE_API_KEY is set, so no model can answer")
    assert len(err.splitlines()) == 1


def test_a_damaged_session_to_open_first_is_one_line(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    (sessions / "broken.json").write_text("[1, 2", encoding="utf-8")
    process = agentkit_process(
        "web", str(write_run_file(tmp_path)), "--session", "broken", "--session-dir", str(sessions)
    )
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err.startswith("error: ") and "broken" in err and len(err.splitlines()) == 1
