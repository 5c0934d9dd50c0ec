"""A program that does not configure logging never loads structlog (it brings rich): the
logger is made the first time a line is written at a level somebody listens to."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_structlog_loads_only_when_a_line_is_written() -> None:
    code = textwrap.dedent(
        """
        import logging, sys
        from agentkit.logs import get_logger
        log = get_logger(run_id="r1").bind(step=1)
        log.info("quiet")  # nobody listens
        print("structlog" in sys.modules)
        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        logger = logging.getLogger("agentkit")
        logger.addHandler(Keep())
        logger.setLevel("INFO")
        log.info("heard", n=2)
        print("structlog" in sys.modules, records)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["False", """True ["heard run_id='r1' step=1 n=2"]"""]
