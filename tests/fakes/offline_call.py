"""The on-device booking brain driven turn by turn through the real gate, with no pipeline.

Each caller turn is interpreted, then every tool call the brain asks for runs through
the gate in order and its result goes back to the brain, as the pipeline would do,
but with no pauses between turns: nothing here depends on timing.
"""

from flows.booking_tools import BookingTools
from flows.ondevice_bookings import OfflineBookings
from function_calls import Breakers
from services.ondevice_llm import DialogueTurn, Match, ToolResult

NO_INTENT = Match(intent=None, score=0.0)


class OfflineCall:
    """One call; `say` returns what the bot said back, `calls` every tool call made."""

    def __init__(self, tools: BookingTools, session_id: str = "call-1"):
        self.gate = tools.gate(session_id, Breakers())
        self.bookings = OfflineBookings(tools.rules)
        self.messages: list[dict] = []
        self.calls: list[tuple[str, dict]] = []

    async def say(self, text: str) -> str:
        self.messages.append({"role": "user", "content": text})
        reply = self.bookings.interpret(DialogueTurn(text, None), NO_INTENT)
        said = [reply.text] if reply and reply.text else []
        while reply is not None and reply.calls:
            results = []
            for name, arguments in reply.calls:
                self.calls.append((name, arguments))
                result = await self.gate.call(name, arguments, messages=self.messages)
                results.append(ToolResult(name, arguments, result))
            reply = self.bookings.on_tool_results(DialogueTurn(None, None, tuple(results)))
            said += [reply.text] if reply.text else []
        return " ".join(said)
