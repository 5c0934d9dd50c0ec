"""Conversation histories that outlive a process: one JSON file each, or one SQLite database.

A store saves the whole history (wire Content dicts) after every step, atomically, so a crash
loses at most the step in progress and a run resumes from the last completed one.
"""

from agentkit.sessions.files import JsonFileStore
from agentkit.sessions.sqlite import SqliteStore
from agentkit.sessions.store import Session, SessionStore, check_name

__all__ = ["JsonFileStore", "Session", "SessionStore", "SqliteStore", "check_name"]
