"""``python -m agentkit.testing.emulator --script answers.json [--port 8765]``.

The script file is a JSON list of entries (strings for text turns, part lists, or whole
response objects). Without a script the emulator answers every request with a short text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agentkit.testing.emulator.server import Emulator
from agentkit.testing.emulator.state import EmulatorOptions
from agentkit.types import GenerateContentRequest


def _echo(request: GenerateContentRequest) -> str:
    last = request.contents[-1].text if request.contents else None
    return f"(emulator) you said: {last}" if last else "(emulator) ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agentkit.testing.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--script", type=Path, help="JSON list of answers, served in order")
    parser.add_argument("--api-key", help="require this key on every request")
    args = parser.parse_args(argv)
    emulator = Emulator(
        host=args.host, port=args.port, options=EmulatorOptions(api_key=args.api_key)
    )
    if args.script:
        entries = json.loads(args.script.read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            parser.error(f"{args.script}: the script must be a JSON list")
        emulator.script(entries)
    else:
        emulator.respond_with(_echo)
    print(f"agentkit emulator listening on {emulator.url} (Ctrl-C stops it)", file=sys.stderr)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
