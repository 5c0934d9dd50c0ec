"""Session stores: atomic saves, damaged and foreign files reported and left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentkit.errors import SessionError
from agentkit.sessions import JsonFileStore, Session, SqliteStore

HISTORY = [
    {"role": "user", "parts": [{"text": "Hi"}]},
    {"role": "model", "parts": [{"text": "Hello"}]},
]


@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_save_load_list_delete(tmp_path: Path, kind: str) -> None:
    store = JsonFileStore(tmp_path) if kind == "json" else SqliteStore(tmp_path / "sessions.db")
    assert store.load("kitchen") is None
    store.save("kitchen", Session(HISTORY, {"note": 1}))
    store.save("hall", Session(HISTORY[:1]))
    loaded = store.load("kitchen")
    assert loaded is not None and (loaded.history, loaded.meta) == (HISTORY, {"note": 1})
    assert store.names() == ["hall", "kitchen"]
    store.save("kitchen", Session(HISTORY[:1]))
    assert store.load("kitchen") == Session(HISTORY[:1], {})
    store.delete("hall")
    assert store.names() == ["kitchen"]


def test_a_saved_session_grows_by_appending_and_leaves_no_temporaries(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path)
    session = Session(list(HISTORY))
    store.save("s", session)
    before = (tmp_path / "s.jsonl").read_bytes()
    for count in range(2, 6):
        session.history.extend(HISTORY)
        session.meta["steps"] = count
        store.save("s", session)
    data = (tmp_path / "s.jsonl").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["s.jsonl"]
    assert data.startswith(before)  # what was saved is never written again
    lines = [json.loads(line) for line in data.splitlines()]
    assert lines[0] == {"format": "agentkit-session", "version": 2, "name": "s"}
    assert [line["turn"] for line in lines if "turn" in line] == HISTORY * 5
    assert [line["meta"] for line in lines if "meta" in line] == [
        {},
        *({"steps": n} for n in range(2, 6)),
    ]
    assert JsonFileStore(tmp_path).load("s") == Session(HISTORY * 5, {"steps": 5})


def test_a_history_that_does_not_continue_the_saved_one_is_written_anew(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path)
    store.save("s", Session(HISTORY * 3))
    edited = [{"role": "user", "parts": [{"text": "Other"}]}, *HISTORY[1:]]
    store.save("s", Session(edited))
    lines = (tmp_path / "s.jsonl").read_bytes().splitlines()
    assert len(lines) == 1 + 2 + 1  # header, two turns, meta
    assert JsonFileStore(tmp_path).load("s") == Session(edited)


def test_a_line_torn_by_a_crash_is_dropped_on_load_and_cut_before_the_next_save(
    tmp_path: Path,
) -> None:
    store = JsonFileStore(tmp_path)
    store.save("s", Session(list(HISTORY)))
    path = tmp_path / "s.jsonl"
    whole = path.read_bytes()
    torn = json.dumps({"turn": {"role": "user", "parts": [{"text": "lost"}]}}).encode()
    path.write_bytes(whole + torn[: len(torn) // 2])  # the crash came mid-line
    fresh = JsonFileStore(tmp_path)
    loaded = fresh.load("s")
    assert loaded == Session(HISTORY)
    loaded.history.append({"role": "user", "parts": [{"text": "again"}]})
    fresh.save("s", loaded)
    assert path.read_bytes() == whole + b'{"turn":{"role":"user","parts":[{"text":"again"}]}}\n'
    assert JsonFileStore(tmp_path).load("s") == loaded


def test_a_damaged_line_before_the_last_is_reported(tmp_path: Path) -> None:
    header = b'{"format":"agentkit-session","version":2,"name":"s"}\n'
    (tmp_path / "s.jsonl").write_bytes(header + b'{"turn": {oops\n{"meta":{}}\n')
    with pytest.raises(SessionError, match="damaged session file \\(line 2"):
        JsonFileStore(tmp_path).load("s")


def test_a_session_file_of_the_earlier_format_loads_and_moves_to_the_log(tmp_path: Path) -> None:
    # What JsonFileStore wrote before sessions became logs: one document, indented.
    document = {
        "format": "agentkit-session",
        "version": 1,
        "name": "old",
        "updated": "2026-11-30T10:00:00+00:00",
        "meta": {"invocation": {"done": 1}},
        "history": HISTORY,
    }
    (tmp_path / "old.json").write_text(json.dumps(document, ensure_ascii=False, indent=1))
    store = JsonFileStore(tmp_path)
    assert store.names() == ["old"]
    session = store.load("old")
    assert session == Session(HISTORY, {"invocation": {"done": 1}})
    session.history.append({"role": "user", "parts": [{"text": "More"}]})
    store.save("old", session)
    assert [p.name for p in tmp_path.iterdir()] == ["old.jsonl"]
    assert JsonFileStore(tmp_path).load("old") == session


def test_sqlite_keeps_turns_as_rows_and_adds_only_new_ones(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "s.db"
    store = SqliteStore(path)
    session = Session(list(HISTORY))
    store.save("s", session)
    with sqlite3.connect(path) as db:
        first = db.execute("SELECT position, turn FROM agentkit_session_turns").fetchall()
    session.history.extend(HISTORY)
    store.save("s", session)
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT position, turn FROM agentkit_session_turns WHERE name = 's' ORDER BY position"
        ).fetchall()
    assert rows[:2] == first and [json.loads(turn) for _, turn in rows] == HISTORY * 2
    assert [position for position, _ in rows] == [0, 1, 2, 3]
    store.save("s", Session(HISTORY[:1]))  # not a continuation: the rows are replaced
    assert SqliteStore(path).load("s") == Session(HISTORY[:1])


def test_an_sqlite_session_of_the_earlier_format_loads(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the table as the earlier SqliteStore made it
        db.execute(
            "CREATE TABLE agentkit_sessions (name TEXT PRIMARY KEY, history TEXT NOT NULL, "
            "meta TEXT NOT NULL, updated TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO agentkit_sessions VALUES (?, ?, ?, ?)",
            ("old", json.dumps(HISTORY), json.dumps({"n": 1}), "2026-11-30T10:00:00+00:00"),
        )
    store = SqliteStore(path)
    session = store.load("old")
    assert session == Session(HISTORY, {"n": 1})
    session.history.extend(HISTORY)
    store.save("old", session)
    assert SqliteStore(path).load("old") == session


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "agentkit-session", "version": 1, "history": [', "damaged session file"),
        ('{"some": "other program"}', "not an agentkit session file"),
        (
            '{"format": "agentkit-session", "version": 9, "history": []}',
            "version 9 is not supported",
        ),
        (
            '{"format": "agentkit-session", "version": 1, "history": [1, 2]}',
            "not a list of Content objects",
        ),
    ],
    ids=["torn", "foreign", "future", "bad-history"],
)
def test_bad_files_are_reported_and_never_overwritten(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "s.json").write_text(content)  # files of the earlier format
    store = JsonFileStore(tmp_path)
    with pytest.raises(SessionError, match=message):
        store.load("s")
    with pytest.raises(SessionError, match=message):
        store.save("s", Session(HISTORY))
    assert (tmp_path / "s.json").read_text() == content


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden", "x" * 101])
def test_session_names_cannot_escape_the_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(SessionError, match="invalid session name"):
        JsonFileStore(tmp_path).save(name, Session(HISTORY))


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_text("hello, I am a text file" * 100)
    with pytest.raises(SessionError, match="not a usable SQLite database"):
        SqliteStore(path)
