"""Conversation histories that outlive a process: one log file each, or one SQLite database.

A store is saved after every step. A save adds what the step added (lines at the end of the
session's log, rows in the database), durably, so a crash loses at most the step in progress,
a run resumes from the last completed one, and a long session's saves cost what they add.
"""

from agentkit.sessions.files import JsonFileStore
from agentkit.sessions.sqlite import SqliteStore
from agentkit.sessions.store import Session, SessionStore, WireHistory, check_name

__all__ = [
    "JsonFileStore",
    "Session",
    "SessionStore",
    "SqliteStore",
    "WireHistory",
    "check_name",
]
