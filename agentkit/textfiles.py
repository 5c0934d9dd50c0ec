"""Files a person names: reading one (a run file, a script, an inputs file), or checking
one that is about to be written (a transcript, a results file).

Every way such a file can be unusable — missing, a directory, not UTF-8, unreadable, in a
folder that does not exist — is one error naming the file and what it was meant to be, of
the type the caller reports (the CLI turns it into its one line and exit 2). A folder is
never created for a path that was mistyped.
"""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path, kind: str, error: type[Exception]) -> str:
    """The file's text; ``kind`` says what it is ("run file"), ``error`` what to raise."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {kind}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {kind}") from None
    except UnicodeDecodeError as problem:
        raise error(f"{path}: not UTF-8 text ({problem.reason})") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read: {problem.strerror or problem}") from None


def check_writable(path: Path, named_by: str, error: type[Exception]) -> None:
    """Refuse a path to write that cannot be one: a directory, or in a folder that is not
    there. ``named_by`` is how the person gave it (``--json out.jsonl``)."""
    if path.is_dir():
        raise error(f"{named_by}: is a directory; give a file path")
    if not path.parent.is_dir():
        raise error(f"{named_by}: the directory {path.parent} does not exist")
