"""Thought signatures as Gemini 3 issues and checks them.

The emulator signs the first functionCall part of every model turn it serves (the rule for
parallel calls), remembers every signature it served, and on each request checks the current
turn: a call that was served with a signature must come back with exactly that signature on
the same part. The signature is an HMAC of the call, so an edited call fails too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from typing import Any

from agentkit.testing.emulator.errors import Rejection

SKIP_VALIDATOR = "skip_thought_signature_validator"


def call_fingerprint(call: dict[str, Any]) -> str:
    """A canonical form of a functionCall (id, name, args), stable across re-serialisation."""
    canonical = {"id": call.get("id"), "name": call.get("name"), "args": call.get("args") or {}}
    return json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SignatureBook:
    """``key`` makes signatures reproducible across processes (a resumed offline run must
    be able to send back what an earlier process served); by default it is random."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self._served: dict[str, str] = {}  # call fingerprint -> signature served with it
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._served.clear()

    def sign(self, call: dict[str, Any]) -> str:
        digest = hmac.new(self._key, call_fingerprint(call).encode(), hashlib.sha256).digest()
        # Real signatures are long opaque base64 strings; length matters for client buffers.
        return base64.b64encode(b"\x12\x0aemu-sig" + digest * 4).decode("ascii")

    def sign_turn(self, parts: list[dict[str, Any]]) -> None:
        """Sign the first functionCall part (unless the script already signed it) and record
        every signed call part of the turn."""
        first_call = next((p for p in parts if isinstance(p.get("functionCall"), dict)), None)
        if first_call is not None and "thoughtSignature" not in first_call:
            first_call["thoughtSignature"] = self.sign(first_call["functionCall"])
        with self._lock:
            for part in parts:
                call = part.get("functionCall")
                signature = part.get("thoughtSignature")
                if isinstance(call, dict) and isinstance(signature, str):
                    self._served[call_fingerprint(call)] = signature

    def check(self, contents: list[dict[str, Any]]) -> None:
        """Reject a current turn whose served signatures are missing or altered."""
        for index in range(_current_turn_start(contents), len(contents)):
            content = contents[index]
            if content.get("role") != "model":
                continue
            for position, part in enumerate(content.get("parts") or ()):
                call = part.get("functionCall")
                if not isinstance(call, dict):
                    continue
                self._check_part(index, position, call, part.get("thoughtSignature"))

    def _check_part(self, index: int, position: int, call: dict[str, Any], sent: Any) -> None:
        if sent == SKIP_VALIDATOR:
            return
        with self._lock:
            served = self._served.get(call_fingerprint(call))
        if served is None:
            # Not served by this process: a call without a signature is fine (the model gave
            # none); a signature must be this key's signature of exactly this call, otherwise
            # the call was edited or forged.
            if sent is not None and _signature_bytes(sent) != _signature_bytes(self.sign(call)):
                raise Rejection(
                    "Corrupted thought signature.",
                    field=f"contents[{index}].parts[{position}].thought_signature",
                )
            return
        if sent is None:
            raise Rejection(
                "Function call is missing a thought_signature in functionCall parts. This is "
                "required for tools to work correctly, and missing thought_signature may lead "
                "to degraded model performance. Additional data, function call "
                f"`default_api:{call.get('name')}` , position {position + 1}. Please refer to "
                "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.",
                field=f"contents[{index}].parts[{position}]",
            )
        if _signature_bytes(sent) != _signature_bytes(served):
            raise Rejection(
                "Corrupted thought signature.",
                field=f"contents[{index}].parts[{position}].thought_signature",
            )


def _current_turn_start(contents: list[dict[str, Any]]) -> int:
    """Index of the latest user content with regular (non-functionResponse) parts: Gemini
    validates signatures only from there on."""
    for index in range(len(contents) - 1, -1, -1):
        content = contents[index]
        if content.get("role", "user") in ("user", "function") and any(
            "functionResponse" not in part for part in content.get("parts") or ()
        ):
            return index
    return 0


def _signature_bytes(signature: Any) -> bytes | None:
    """Signatures are bytes on the wire; clients may send either base64 alphabet (Google's
    python SDK re-encodes them URL-safe), so they are compared decoded."""
    if not isinstance(signature, str):
        return None
    try:
        return base64.b64decode(signature + "=" * (-len(signature) % 4), altchars=b"-_")
    except ValueError:
        return None
