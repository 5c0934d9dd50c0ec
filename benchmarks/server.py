"""The emulator for the benchmark, in its own process: ``python -m benchmarks.server``.

It prints its base URL on the first line of stdout, then serves until killed. Keeping it out
of the measured process means the client's CPU time is the client's alone. An optional
argument sets the characters of text per streamed event (256 by default; a size larger than
the answer streams it as one event).
"""

from __future__ import annotations

import sys

from agentkit.testing.emulator import Emulator, EmulatorOptions
from benchmarks.scenario import answer


def main() -> None:
    # Not strict and not recording: the server must not be what limits throughput. The
    # answers are the same; correctness is checked by each contender's warm-up, and the
    # strict emulator is what the test suite runs against.
    # Idle connections are kept for a minute: each client's pool sits idle while the others
    # take their turn, and a pooled connection closed under a request would be a retry (for
    # agentkit) or a crash (for the floor) that measures the server's clock, not the client.
    # Streamed answers come in chunks of 256 characters (the emulator's default of 24 suits
    # tests of chunk boundaries, not a measurement of long answers).
    chunk_chars = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    options = EmulatorOptions(record=False, strict=False, stream_chunk_chars=chunk_chars)
    emulator = Emulator(options=options, keep_alive=60)
    emulator.respond_with(answer)
    print(emulator.url, flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
