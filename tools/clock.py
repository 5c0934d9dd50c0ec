"""Time tools: the current time anywhere, and converting a time between time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentkit import Toolset, tool


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Amsterdam' or 'UTC'"
        ) from None


@tool
def now(timezone: str = "UTC") -> dict[str, str]:
    """The current date and time.

    Args:
        timezone: IANA time zone name, e.g. "Europe/Amsterdam".
    """
    moment = datetime.now(UTC).astimezone(_zone(timezone))
    return {
        "timezone": timezone,
        "iso": moment.isoformat(timespec="seconds"),
        "weekday": moment.strftime("%A"),
    }


@tool
def convert_time(time: datetime, to_timezone: str, from_timezone: str = "UTC") -> dict[str, str]:
    """Convert a date and time from one time zone to another.

    Args:
        time: ISO date-time; its own offset wins over from_timezone when it has one.
        to_timezone: IANA time zone to convert to.
        from_timezone: IANA time zone the time is in, when it has no offset.
    """
    source = time if time.tzinfo is not None else time.replace(tzinfo=_zone(from_timezone))
    converted = source.astimezone(_zone(to_timezone))
    return {"from": source.isoformat(), "to": converted.isoformat(), "timezone": to_timezone}


def toolset() -> Toolset:
    return Toolset([now, convert_time])
