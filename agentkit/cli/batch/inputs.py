"""What a batch is given — the inputs file and the option values — checked before anything runs.

Every mistake here is the user's to fix and is reported as one line (exit 2), before the
results file is touched or a request is made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentkit.cli.exits import UsageError
from agentkit.cli.runfile import RunFile, RunFileError
from agentkit.models.rate_limit import RateLimit
from agentkit.textfiles import read_text


class InputError(UsageError):
    """A batch mistake the user can fix: the inputs, an option, the results file."""


def read_inputs(path: Path) -> list[dict[str, Any]]:
    """The input rows in file order; each must be an object with an ``id`` used only once."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    lines = read_text(path, "inputs file", InputError).splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise InputError(f"{path}:{number}: not JSON: {error}") from None
        if not isinstance(item, dict) or "id" not in item:
            raise InputError(f'{path}:{number}: each line must be an object with an "id"')
        key = str(item["id"])
        if key in seen:
            raise InputError(f"{path}:{number}: id {key!r} appears twice")
        seen.add(key)
        items.append(item)
    return items


def concurrency_from(value: object) -> int:
    """``--concurrency`` as a number of runs at once. The parser hands it over as text so that
    a bad value gets this one line rather than argparse's usage block."""
    return whole_number_from("--concurrency", value)


def whole_number_from(flag: str, value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        raise InputError(f"{flag} must be a whole number of at least 1, not {value!r}")
    return number


def rate_limit_from(rpm: object, tpm: object) -> RateLimit | None:
    """``--rpm`` / ``--tpm`` as the limiter every run of the batch shares (None: neither)."""
    if rpm is None and tpm is None:
        return None
    return RateLimit(
        rpm=None if rpm is None else whole_number_from("--rpm", rpm),
        tpm=None if tpm is None else whole_number_from("--tpm", tpm),
    )


def check_distinct(inputs: Path, out: Path) -> None:
    """Refuse ``--out`` naming the inputs file: the batch would read its own inputs as results
    (every id "done") and then rewrite them."""
    if out.resolve() == inputs.resolve() or (out.exists() and out.samefile(inputs)):
        raise InputError(f"--out {out} is the inputs file; give the results their own file")


def check_rows_fit(rows: list[dict[str, Any]], runfile: RunFile, path: Path) -> None:
    """Every row gives what the run file's prompts need, checked before any row runs: a
    missing field would otherwise fail every row, one by one, as model errors."""
    uses_prompt = any("{prompt}" in template for template in runfile.prompts or ("{prompt}",))
    for row in rows:
        try:
            runfile.render_prompts(row)
        except RunFileError as error:
            raise InputError(f"{path}: row {row['id']!r}: {error}") from None
        if "prompt" in row and not uses_prompt:
            raise InputError(
                f'{path}: row {row["id"]!r} has a "prompt", but the prompts of '
                f"{runfile.path} have no {{prompt}} placeholder: it would be ignored"
            )
