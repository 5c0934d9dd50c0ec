"""The emulator for the benchmark, in its own process: ``python -m benchmarks.server``.

It prints its base URL on the first line of stdout, then serves until killed. Keeping it out
of the measured process means the client's CPU time is the client's alone.
"""

from __future__ import annotations

import sys

from agentkit.testing.emulator import Emulator
from benchmarks.scenario import answer


def main() -> None:
    emulator = Emulator()
    emulator.respond_with(answer)
    print(emulator.url, flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
