"""The test session cannot reach the world or use the developer's keys (item 12 of "Edges")."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentkit.errors import APIConnectionError
from agentkit.models import Gemini, RetryPolicy
from agentkit.types import Content, GenerateContentRequest
from tests.conftest import network_guard

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER_ENVIRONMENT = {
    "GEMINI_API_KEY": "AIzaSy-developer-real-key-000000000000",
    "GOOGLE_API_KEY": "AIzaSy-developer-real-key-111111111111",
    "GOOGLE_GEMINI_BASE_URL": "https://generativelanguage.googleapis.com/",
    "GOOGLE_GENAI_USE_VERTEXAI": "true",
    "HTTPS_PROXY": "http://proxy.example.com:3128",
}


@pytest.fixture
def expect_blocked() -> list[str]:
    """The attempts this test makes on purpose; taken off the record so it may pass."""
    before = len(network_guard.blocked)
    attempts: list[str] = []
    yield attempts
    attempts.extend(network_guard.blocked[before:])
    del network_guard.blocked[before:]


def test_probe_environment_is_clean() -> None:
    """Run on its own by the next test with the developer's variables set."""
    leaked = sorted(name for name in DEVELOPER_ENVIRONMENT if name in os.environ)
    assert leaked == []


def test_keys_in_the_developers_shell_never_reach_a_test() -> None:
    environment = {**os.environ, **DEVELOPER_ENVIRONMENT}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::test_probe_environment_is_clean",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout


def test_a_connection_beyond_loopback_is_refused(expect_blocked: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(network_guard.NetworkBlocked, match="192.0.2.1:443"):
            sock.connect(("192.0.2.1", 443))
    assert network_guard.blocked[-1] == "a connection to 192.0.2.1:443"


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: socket.getaddrinfo("generativelanguage.googleapis.com", 443),
        lambda: socket.gethostbyname("generativelanguage.googleapis.com"),
        lambda: socket.gethostbyname_ex("generativelanguage.googleapis.com"),
        lambda: socket.gethostbyaddr("generativelanguage.googleapis.com"),
    ],
    ids=["getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"],
)
def test_a_name_lookup_is_refused(expect_blocked: list[str], lookup: Any) -> None:
    with pytest.raises(network_guard.NetworkBlocked, match="generativelanguage"):
        lookup()


def test_loopback_stays_open() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert socket.getaddrinfo("localhost", 80)


async def test_the_real_endpoint_is_never_reached(expect_blocked: list[str]) -> None:
    model = Gemini(
        "gemini-2.5-flash", api_key="AIzaSy-real-looking-key-0000", retry=RetryPolicy.none()
    )
    request = GenerateContentRequest(contents=[Content.user("hello")])
    with pytest.raises(APIConnectionError):
        await model.generate(request)
    await model.aclose()
    assert "a name lookup of 'generativelanguage.googleapis.com'" in network_guard.blocked


def test_python_subprocesses_are_guarded_too() -> None:
    code = (
        "import os, socket\n"
        "print(os.environ.get('GEMINI_API_KEY'))\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 443), timeout=5)\n"
        "except OSError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert completed.stdout.splitlines() == [
        "None",
        "NetworkBlocked tests may only connect to loopback; refused a connection to 192.0.2.1:443",
    ]
