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


def test_json_file_is_replaced_atomically_and_leaves_no_temporaries(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path)
    for count in range(1, 6):
        store.save("s", Session(HISTORY * count))
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    document = json.loads((tmp_path / "s.json").read_text())
    assert (document["format"], document["version"], len(document["history"])) == (
        "agentkit-session",
        1,
        10,
    )


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
    (tmp_path / "s.json").write_text(content)
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
