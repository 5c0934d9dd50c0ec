"""Where each input row of the job stands: from the results file at the start, then this run.

The summary and the exit code describe the job (every input row), not only what this
invocation ran: a rerun that finds everything finished says so and exits 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from agentkit.cli.batch.results import FAILED, FINISHED, Row


@dataclass
class Tally:
    ids: list[str]  # the inputs, in file order
    statuses: dict[str, str] = field(default_factory=dict)
    error_types: dict[str, str] = field(default_factory=dict)
    this_run: Counter[str] = field(default_factory=Counter)

    @classmethod
    def start(cls, ids: list[str], rows: list[Row]) -> Tally:
        """The rows already in the results file; a finished line wins over an error line."""
        tally = cls(list(ids))
        wanted = set(ids)
        for row in rows:
            if row.id not in wanted:
                continue
            if row.status in FINISHED:
                tally.statuses[row.id] = row.status
                tally.error_types.pop(row.id, None)
            elif row.id not in tally.statuses:
                tally.statuses[row.id] = row.status
                tally.error_types[row.id] = row.error_type or FAILED
        return tally

    def add(self, record: dict[str, Any]) -> None:
        key, status = str(record["id"]), str(record["status"])
        self.statuses[key] = status
        self.this_run[status] += 1
        if status == FAILED:
            self.error_types[key] = str(record["error"]["type"])
        else:
            self.error_types.pop(key, None)

    def count(self, status: str) -> int:
        return sum(1 for key in self.ids if self.statuses.get(key) == status)

    @property
    def not_run(self) -> int:
        return sum(1 for key in self.ids if key not in self.statuses)

    @property
    def ran(self) -> int:
        return sum(self.this_run.values())

    def failures(self) -> list[tuple[str, str]]:
        """The failed ids with their error types, in input order."""
        return [(key, self.error_types[key]) for key in self.ids if key in self.error_types]
