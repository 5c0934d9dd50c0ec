"""One function-calling exchange with Gemini, by hand, on the raw client.

With GEMINI_API_KEY (or GOOGLE_API_KEY) set it talks to the real API. Without one it starts the
bundled emulator with a scripted model and says so: the same client code runs either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from agentkit.models import Gemini, resolve_api_key
from agentkit.types import (
    Content,
    FunctionDeclaration,
    GenerateContentRequest,
    Part,
    Tool,
)

LIGHTS = {"kitchen": 0, "living room": 80}

SET_LIGHT = FunctionDeclaration(
    name="set_light",
    description="Set the brightness of a room's light.",
    parameters_json_schema={
        "type": "object",
        "properties": {
            "room": {"type": "string", "enum": sorted(LIGHTS)},
            "brightness": {"type": "integer", "minimum": 0, "maximum": 100},
        },
        "required": ["room", "brightness"],
    },
)


@contextlib.contextmanager
def model() -> Iterator[Gemini]:
    if resolve_api_key():
        print("live: talking to the Gemini API (gemini-2.5-flash)")
        yield Gemini("gemini-2.5-flash")
        return
    from agentkit.testing.emulator import Emulator, call

    script = [
        [call("set_light", room="kitchen", brightness=60)],
        "The kitchen light is now at 60%.",
    ]
    with Emulator(script=script) as emulator:
        print(f"offline: no GEMINI_API_KEY set; a scripted model answers from {emulator.url}")
        yield Gemini("gemini-2.5-flash", base_url=emulator.url)


async def main() -> None:
    with model() as gemini:
        history = [Content.user("Set the kitchen light to 60 percent.")]
        tools = [Tool(function_declarations=[SET_LIGHT])]
        while True:
            response = await gemini.generate(GenerateContentRequest(contents=history, tools=tools))
            turn = response.content
            if turn is None or not turn.function_calls:
                print(f"model: {response.text}")
                break
            history.append(turn)  # verbatim: thought signatures travel back unchanged
            answers = []
            for function_call in turn.function_calls:
                args = function_call.arguments
                print(f"call:  {function_call.name}({args})")
                LIGHTS[args["room"]] = args["brightness"]
                result = {"room": args["room"], "brightness": args["brightness"]}
                answers.append(
                    Part.from_function_response(
                        function_call.name, {"output": result}, id=function_call.id
                    )
                )
            history.append(Content(role="user", parts=answers))
        print(f"state: {LIGHTS}")


if __name__ == "__main__":
    asyncio.run(main())
