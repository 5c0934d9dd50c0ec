"""The ``format`` values Gemini's OpenAPI subset accepts, and words for the ones it does not.

The API rejects any other format with a 400 ("only 'enum' and 'date-time' are supported for
STRING type"), although JSON Schema, OpenAPI and pydantic use many more (``date``, ``uuid``,
``uri``, ``email``...). Dropping such a format silently would lose what the model needs to
know to send a valid value, so the subset compiler moves it into the description, in words.
"""

from __future__ import annotations

# Per subset type, the formats the Gemini API accepts (its Schema reference: NUMBER float and
# double, INTEGER int32 and int64, STRING enum and date-time; enum also for the numeric
# enums the compiler writes).
# In the order the API's 400 names them (the emulator words its refusal from this table).
ACCEPTED: dict[str, tuple[str, ...]] = {
    "STRING": ("enum", "date-time"),
    "NUMBER": ("float", "double", "enum"),
    "INTEGER": ("int32", "int64", "enum"),
}
_HINTS = {
    "date": "YYYY-MM-DD",
    "time": "HH:MM:SS, optionally with fractions of a second and a UTC offset",
    "duration": "ISO 8601, e.g. P1DT2H30M",
    "uuid": "e.g. 123e4567-e89b-42d3-a456-426614174000",
    "uri": "an absolute URI, e.g. https://example.com/page",
    "email": "an email address",
    "ipv4": "e.g. 192.0.2.1",
    "ipv6": "e.g. 2001:db8::1",
    "byte": "base64-encoded",
    "base64url": "URL-safe base64",
    "binary": "text, passed on as bytes",
    "regex": "a regular expression",
    "json-string": "a JSON document, as a string",
}


def is_accepted(kind: object, fmt: object) -> bool:
    return isinstance(kind, str) and fmt in ACCEPTED.get(kind, ())


def format_note(fmt: object) -> str:
    """The format in words, for the description: ``Format: date (YYYY-MM-DD).``"""
    hint = _HINTS.get(str(fmt))
    return f"Format: {fmt} ({hint})." if hint else f"Format: {fmt}."
