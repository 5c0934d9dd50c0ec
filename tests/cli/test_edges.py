"""The CLI's edges: set-up mistakes are one line (exit 2), closed pipes end quietly, JSON on
stdout is only JSON, the banner tells the truth (items 2, 5, 6, 9, 10 of "Edges")."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agentkit.cli import main
from agentkit.errors import APIConnectionError
from agentkit.models import Gemini, RetryPolicy
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, GenerateContentRequest

from .conftest import ROOT, write_run_file

OFFLINE_TEXT = '[[offline.turns]]\ntext = "ok"\n'
KNOWN_LIMITS = (
    "model_calls, tool_calls, total_tokens, deadline, model_retries, tool_result_chars, on_limit"
)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the CLI; it must exit 2 and print exactly one line on stderr."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- item 6: run-file mistakes name the file, the key and the value ---------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('prompts = ["x"]\ntemperature = "hot"\n', "temperature must be a number, not 'hot'"),
        ('prompts = ["x"]\ntemperature = true\n', "temperature must be a number, not true"),
        (
            'prompts = ["x"]\nmax_output_tokens = 1.5\n',
            "max_output_tokens must be a whole number, not 1.5",
        ),
        (
            'prompts = ["x"]\n[limits]\nmodel_calls = "twenty"\n',
            "[limits] model_calls must be a whole number, not 'twenty'",
        ),
        (
            'prompts = ["x"]\n[limits]\ndeadline = "soon"\n',
            "[limits] deadline must be a number, not 'soon'",
        ),
        (
            'prompts = ["x"]\n[limits]\ndeadline = nan\n',
            "[limits]: Limits.deadline must be a positive, finite number or None, got nan",
        ),
        (
            'prompts = ["x"]\n[limits]\non_limit = "explode"\n',
            '[limits] on_limit must be one of "answer", "stop", not \'explode\'',
        ),
        (
            'prompts = ["x"]\n[limits]\nmax_steps = 3\n',
            f"unknown key(s) in [limits]: max_steps; known: {KNOWN_LIMITS}",
        ),
        ('prompts = ["x"]\nlimits = 3\n', "[limits] must be a table, not 3"),
        (
            'prompts = ["x"]\n[thinking]\nthinking_budget = "lots"\n',
            "[thinking] thinking_budget must be a whole number, not 'lots'",
        ),
        (
            'prompts = ["x"]\n[thinking]\nbudget = 1\n',
            "unknown key(s) in [thinking]: budget; known: thinking_budget, include_thoughts, thinking_level",
        ),
        ("prompts = []\n", "prompts is empty; give at least one prompt"),
        ('prompts = ["x", ""]\n', "prompts[1] is empty"),
        (
            'prompt = "x"\nprompts = ["y"]\n',
            "give prompt (one) or prompts (a list), not both: both are set",
        ),
        ('prompts = "x"\n', "prompts must be a list of strings, not 'x'"),
        ('prompts = ["x", 2]\n', "prompts[1] must be a string, not 2"),
        (
            'prompts = ["x"]\ntool_mode = "sometimes"\n',
            'tool_mode must be one of "auto", "any", "none", "validated", not \'sometimes\'',
        ),
        ('prompts = ["x"]\nmodel = ""\n', 'model must name a model, e.g. "gemini-2.5-flash"'),
        ('prompts = ["x"]\nmodel = 25\n', "model must be a string, not 25"),
        (
            'prompts = ["x"]\n[[offline.turns]]\ntext = 3\n',
            "offline turn 1: text must be a string, not 3",
        ),
        (
            'prompts = ["x"]\n[[offline.turns]]\ncalls = [{ name = "f", args = 3 }]\n',
            "offline turn 1: args of f must be a table",
        ),
        (
            'prompts = ["x"]\n[[offline.turns]]\ncalls = [{ name = "f", arguments = {} }]\n',
            "offline turn 1: a call has unknown key(s) arguments; known: name, args",
        ),
    ],
)
def test_run_file_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    run_file = write_run_file(tmp_path / "bad.toml", body)
    assert one_line_error(capsys, ["run", str(run_file)]) == f"error: {run_file}: {message}"


def test_a_run_file_that_is_a_directory_or_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert one_line_error(capsys, ["run", str(tmp_path)]) == (
        f"error: {tmp_path}: is a directory, not a run file"
    )
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert one_line_error(capsys, ["run", str(binary)]).startswith(f"error: {binary}: not UTF-8")


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "raise RuntimeError('no hub configured')\n",
            "RuntimeError: no hub configured (broken.py, line 1)",
        ),
        (
            "import json\nx = json.loads('{')\n",
            "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1) (broken.py, line 2)",
        ),
        ("import sys\nsys.exit(3)\n", "SystemExit: 3 (broken.py, line 2)"),
        ("def f(:\n", "SyntaxError: invalid syntax (broken.py, line 1)"),
        ("import not_installed_anywhere\n", "no module named 'not_installed_anywhere'"),
        (
            "from agentkit import tool\n@tool\ndef f(x):\n    return x\n",
            "ToolDefinitionError: tool 'f', parameter 'x': has no type annotation; the schema is built from annotations (broken.py, line 2)",
        ),
    ],
    ids=["runtime-error", "value-error", "sys-exit", "syntax", "missing-dependency", "bad-tool"],
)
def test_a_tools_module_that_fails_at_import_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], module: str, message: str
) -> None:
    (tmp_path / "broken.py").write_text(module, encoding="utf-8")
    run_file = write_run_file(
        tmp_path / "run.toml", f'prompts = ["x"]\ntools = ["broken"]\n{OFFLINE_TEXT}'
    )
    line = one_line_error(capsys, ["run", str(run_file)])
    assert line == f"error: cannot import tools 'broken': {message}"


def test_a_toolset_factory_that_raises_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "hub.py").write_text(
        "def toolset():\n    raise ConnectionError('hub offline')\n", encoding="utf-8"
    )
    run_file = write_run_file(
        tmp_path / "run.toml", f'prompts = ["x"]\ntools = ["hub"]\n{OFFLINE_TEXT}'
    )
    assert one_line_error(capsys, ["run", str(run_file)]) == (
        "error: hub.toolset() raised ConnectionError: hub offline"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--session", ""],
            "error: --session needs a name, e.g. --session kitchen (got an empty one)",
        ),
        (
            ["--session", "  "],
            "error: --session needs a name, e.g. --session kitchen (got an empty one)",
        ),
        (
            ["--session-db", "s.db"],
            "error: --session-db needs --session NAME (it says where sessions are kept)",
        ),
        (
            ["--session-dir", "d"],
            "error: --session-dir needs --session NAME (it says where sessions are kept)",
        ),
    ],
)
def test_options_that_would_be_ignored_are_refused(
    capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    assert one_line_error(capsys, ["run", "examples/home.toml", *flags]) == message


def test_json_output_must_be_a_writable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert one_line_error(capsys, ["run", "examples/home.toml", "--json", str(tmp_path)]) == (
        f"error: --json {tmp_path}: is a directory; give a file path"
    )
    missing = tmp_path / "nowhere" / "out.jsonl"
    assert one_line_error(capsys, ["run", "examples/home.toml", "--json", str(missing)]) == (
        f"error: --json {missing}: the directory {missing.parent} does not exist"
    )


def test_a_session_db_that_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line_error(
        capsys, ["run", "examples/home.toml", "--session", "s", "--session-db", str(tmp_path)]
    )
    assert line == f"error: {tmp_path}: is a directory, not an SQLite database file"


def test_command_line_mistakes_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "agentkit run: error: the following arguments are required: file (see agentkit run --help)"
    ]
    with pytest.raises(SystemExit):
        main(["run", "examples/home.toml", "--aprove"])
    assert capsys.readouterr().err.splitlines() == [
        "agentkit run: error: unrecognized arguments: --aprove (see agentkit run --help)"
    ]
    batch = ["batch", "examples/batch.toml", "--inputs", "x", "--out", "y"]
    assert one_line_error(capsys, [*batch, "--concurrency", "many"]) == (
        "error: --concurrency must be a whole number of at least 1, not 'many'"
    )


def test_python_dash_m_agentkit_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agentkit", "--version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "agentkit 0.1.0")


# -- item 2: a closed pipe ends quietly --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["run", "examples/home.toml"], ["tools", "tools.home"]],
    ids=["run", "tools"],
)
def test_a_closed_pipe_ends_quietly(args: list[str], tmp_path: Path) -> None:
    """``agentkit run FILE | head -3``: the reader goes away; no traceback, exit 141."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before anything is written: every write fails
    environment = {**os.environ, "AGENTKIT_HOME_DB": str(tmp_path / "home.db")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "agentkit", *args],
            cwd=ROOT,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=environment,
        )
    finally:
        os.close(writer)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "BrokenPipe" not in done.stderr
    assert len(done.stderr.splitlines()) <= 1  # at most the offline banner


def test_head_reads_the_first_lines_and_the_rest_is_dropped(tmp_path: Path) -> None:
    """The shell case itself: ``agentkit run examples/home.toml | head -3``."""
    environment = {**os.environ, "AGENTKIT_HOME_DB": str(tmp_path / "home.db")}
    done = subprocess.run(
        f"'{sys.executable}' -m agentkit run examples/home.toml | head -3",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert done.stdout.splitlines()[0] == "user> It's movie night - set up the living room."
    assert len(done.stdout.splitlines()) == 3
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


# -- item 9: --json - is JSON only ---------------------------------------------------------------


def test_json_on_stdout_is_only_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "examples/home.toml", "--json", "-"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]  # every line parses
    assert [r["type"] for r in records].count("run") == 4
    assert "user> It's movie night - set up the living room." in err
    assert "denied (not interactive; --approve allows it): unlock_door" in err
    assert "offline: no API key set" in err


# -- item 5: the banner tells the truth; connection errors name the URL -------------------------


def test_another_base_url_is_named_and_never_called_live(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
) -> None:
    emulator.script(["Hello from a proxy."])
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-0123456789")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    run_file = write_run_file(tmp_path / "hi.toml", 'prompts = ["Hi"]\n')
    assert main(["run", str(run_file)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[0] == (
        f"not Google's endpoint: gemini-2.5-flash at {emulator.url}/ (from GOOGLE_GEMINI_BASE_URL),"
        " with an API key — answers come from whatever serves that URL"
    )
    assert "live" not in err
    assert "model> Hello from a proxy." in out


def test_a_base_url_without_a_key_is_used_not_ignored(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
) -> None:
    emulator.script(["Served."])
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    run_file = write_run_file(tmp_path / "hi.toml", f'prompts = ["Hi"]\n{OFFLINE_TEXT}')
    assert main(["run", str(run_file)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[0].endswith(
        "(from GOOGLE_GEMINI_BASE_URL), without an API key — answers come from whatever serves that URL"
    )
    assert "model> Served." in out and len(emulator.requests) == 1


def test_live_is_said_only_for_googles_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentkit.offline import describe

    monkeypatch.setenv("GEMINI_API_KEY", "test-key-0123456789")
    assert describe(Gemini("gemini-2.5-flash")) == (
        "live: gemini-2.5-flash over the Gemini API (https://generativelanguage.googleapis.com/)"
    )
    assert describe(Gemini("gemini-2.5-flash", base_url="https://proxy.example/")).startswith(
        "not Google's endpoint: gemini-2.5-flash at https://proxy.example/, with an API key"
    )


async def test_a_connection_error_names_the_url_it_tried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    model = Gemini(base_url=f"http://127.0.0.1:{port}", retry=RetryPolicy.none())
    with pytest.raises(APIConnectionError) as caught:
        await model.generate(GenerateContentRequest(contents=[Content.user("hi")]))
    await model.aclose()
    assert str(caught.value).startswith(
        f"request to http://127.0.0.1:{port}/v1beta/models/gemini-2.5-flash:generateContent "
        "failed: ConnectError:"
    )


def test_log_level_lasts_only_for_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``main`` may run inside a process that goes on: its logging is as it was afterwards."""
    import logging

    logger = logging.getLogger("agentkit")
    before = (list(logger.handlers), logger.level)
    assert main(["--log-level", "debug", "tools", "tools.clock"]) == 0
    assert (list(logger.handlers), logger.level) == before
    capsys.readouterr()


def test_googles_own_url_without_a_key_is_not_a_server_to_talk_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agentkit.offline import remote_configured

    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "https://generativelanguage.googleapis.com")
    assert remote_configured() is False
    monkeypatch.setenv("GEMINI_API_KEY", "   ")  # an empty export is no key
    assert remote_configured() is False
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:8765")
    assert remote_configured() is True


@pytest.mark.parametrize("url", ["notaurl", "ftp://proxy.example", "http://"])
def test_a_base_url_that_is_no_http_address_is_refused_at_once(url: str) -> None:
    from agentkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as caught:
        Gemini(base_url=url)
    assert str(caught.value) == (
        f"base URL {url!r} is not an http:// or https:// address (set in base_url= or "
        "GOOGLE_GEMINI_BASE_URL)"
    )


async def test_credentials_in_a_proxy_url_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentkit.offline import describe

    url = "http://user:s3cret-token@127.0.0.1:1/"
    model = Gemini(base_url=url, api_key="test-key-0123456789", retry=RetryPolicy.none())
    assert "s3cret" not in describe(model) and "s3cret" not in repr(model)
    with pytest.raises(APIConnectionError) as caught:
        await model.generate(GenerateContentRequest(contents=[Content.user("hi")]))
    await model.aclose()
    assert "s3cret" not in str(caught.value)
    assert str(caught.value).startswith("request to http://***@127.0.0.1:1/v1beta/")


def test_json_never_spoils_a_file_that_is_not_a_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = write_run_file(tmp_path / "hi.toml", f'prompts = ["Hi"]\n{OFFLINE_TEXT}')
    before = run_file.read_text()
    assert one_line_error(capsys, ["run", str(run_file), "--json", str(run_file)]) == (
        f"error: --json {run_file} is the run file; give the transcript its own file"
    )
    source = tmp_path / "tool.py"
    source.write_text("print('hi')\n")
    assert one_line_error(capsys, ["run", str(run_file), "--json", str(source)]) == (
        f"error: --json {source}: not a transcript written by agentkit run (lines would be "
        "appended to it); give --json a file of its own"
    )
    assert run_file.read_text() == before and source.read_text() == "print('hi')\n"
    transcript = tmp_path / "t.jsonl"
    for _ in range(2):  # a transcript is appended to, run after run
        assert main(["run", str(run_file), "--json", str(transcript)]) == 0
    kinds = [json.loads(line)["type"] for line in transcript.read_text().splitlines()]
    assert kinds.count("run") == 2


def test_a_tool_that_calls_sys_exit_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "exiter.py").write_text(
        "import sys\nfrom agentkit import tool\n\n@tool\ndef quit_now(code: int) -> str:\n"
        '    """Quit."""\n    sys.exit(code)\n',
        encoding="utf-8",
    )
    run_file = write_run_file(
        tmp_path / "exit.toml",
        'prompts = ["go"]\ntools = ["exiter.py"]\n[[offline.turns]]\n'
        'calls = [{ name = "quit_now", args = { code = 3 } }, { name = "quit_now", args = { code = 4 } }]\n',
    )
    assert main(["run", str(run_file)]) == 3
    assert capsys.readouterr().err.splitlines()[1:] == [
        "ToolExitError: tool 'quit_now' called sys.exit(3); the run stopped there"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["chat", "examples/home.toml", "--model", "gemini-2.5-pro"],
            "error: --model is for a chat without a run file; examples/home.toml names its own "
            "model (change it there)",
        ),
        (
            ["chat", "examples/home.toml", "--tools", "tools.calc"],
            "error: --tools is for a chat without a run file; examples/home.toml names its own "
            "tools (change it there)",
        ),
        (
            [
                "run",
                "examples/home.toml",
                "--session",
                "s",
                "--session-db",
                "a.db",
                "--session-dir",
                "d",
            ],
            "error: --session-db and --session-dir both say where sessions are kept; give one",
        ),
        (
            ["serve", "--per-conversation", "--port", "0"],
            "error: --per-conversation serves a script to every conversation: give --script",
        ),
    ],
    ids=["chat-model", "chat-tools", "session-db-and-dir", "serve-per-conversation"],
)
def test_more_options_that_would_be_ignored(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert one_line_error(capsys, argv) == message


@pytest.mark.parametrize(
    ("prompts", "row", "message"),
    [
        (
            'prompts = ["Order for {customer}"]',
            '{"id": "r1", "name": "Ann"}',
            "row 'r1': {run_file}: prompt uses {{customer}} but the input has no field 'customer'",
        ),
        (
            'prompts = ["Fixed question"]',
            '{"id": "r1", "prompt": "my own question"}',
            "row 'r1' has a \"prompt\", but the prompts of {run_file} have no {{prompt}} "
            "placeholder: it would be ignored",
        ),
    ],
    ids=["missing-field", "prompt-ignored"],
)
def test_batch_rows_are_checked_against_the_prompts_before_any_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prompts: str, row: str, message: str
) -> None:
    run_file = write_run_file(tmp_path / "b.toml", f"{prompts}\n{OFFLINE_TEXT}")
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(row + "\n")
    out = tmp_path / "out.jsonl"
    line = one_line_error(
        capsys, ["batch", str(run_file), "--inputs", str(inputs), "--out", str(out)]
    )
    assert line == f"error: {inputs}: " + message.format(run_file=run_file)
    assert not out.exists()


def test_batch_out_dash_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["batch", "examples/batch.toml", "--inputs", "examples/batch_inputs.jsonl", "--out", "-"]
    assert one_line_error(capsys, argv) == (
        "error: --out - : the results file is read back by a rerun; give it a path"
    )


def test_a_run_file_without_prompts_or_with_a_missing_tool_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = write_run_file(tmp_path / "quiet.toml", OFFLINE_TEXT)
    assert one_line_error(capsys, ["run", str(quiet)]) == (
        f'error: {quiet}: nothing to run: give prompt = "..." or prompts = ["...", ...]'
    )
    lost = write_run_file(
        tmp_path / "lost.toml", f'prompts = ["x"]\ntool_paths = ["nowhere"]\n{OFFLINE_TEXT}'
    )
    assert one_line_error(capsys, ["run", str(lost)]) == (
        f"error: {lost}: tool_paths[0] 'nowhere' is not a folder ({tmp_path / 'nowhere'})"
    )


def test_log_level_may_follow_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "tools.clock", "--log-level", "debug"]) == 0
    assert main(["--log-level", "info", "tools", "tools.clock"]) == 0
    capsys.readouterr()


def test_a_full_disk_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this machine")
    run_file = write_run_file(tmp_path / "hi.toml", f'prompts = ["Hi"]\n{OFFLINE_TEXT}')
    assert main(["run", str(run_file), "--json", "/dev/full"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == ["error: No space left on device"]


def test_a_mistyped_ready_toolset_lists_the_ones_there_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # outside the checkout: no tools/ folder here
    assert one_line_error(capsys, ["tools", "tools.hom"]) == (
        f"error: cannot import tools 'tools.hom': no module named 'tools.hom' (looked in "
        f"{tmp_path.resolve()}; agentkit's own are tools.calc, tools.clock, tools.home)"
    )


def test_a_session_that_continues_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_run_file(tmp_path / "first.toml", f'prompts = ["Hello"]\n{OFFLINE_TEXT}')
    other = write_run_file(tmp_path / "other.toml", f'prompts = ["Again"]\n{OFFLINE_TEXT}')
    assert main(["run", str(first), "--session", "talk"]) == 0
    assert "continuing session" not in capsys.readouterr().err
    assert main(["run", str(other), "--session", "talk"]) == 0
    assert capsys.readouterr().err.splitlines()[1:3] == [
        "continuing session 'talk': 2 turns of an earlier conversation go along with these prompts",
        f"note: the session was last used with {first.resolve()}",
    ]


def test_the_closed_pipe_hook_agentkit_overrides_is_riches_own() -> None:
    """``CommandConsole`` relies on rich calling ``Console.on_broken_pipe``; should rich drop
    or rename it, the override would silently do nothing — this fails first."""
    from rich.console import Console

    from agentkit.cli.console import CommandConsole

    assert "on_broken_pipe" in vars(Console)
    assert CommandConsole.on_broken_pipe is not Console.on_broken_pipe
