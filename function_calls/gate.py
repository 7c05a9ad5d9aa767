"""The function-call gate: what Pipecat leaves to the app when an LLM takes actions.

Pipecat runs tool handlers and can keep a call alive through barge-in
(`cancel_on_interruption=False`), but it has no notion of consent, duplicate
calls, transient failures or a failing backend. Every tool handler goes
through this gate, which, in code and whatever the LLM does:

- validates and normalises the arguments first (the tool's own `normalise`);
- derives an idempotency key from the session and the normalised arguments,
  and answers a repeated side-effecting call with its first result instead of
  running it again (also across a reconnect, when the records are persistent);
- runs a tool that needs consent only when the caller agreed to exactly that
  call in their own last turn; otherwise it answers with the read-back the bot
  must say, and remembers it;
- gives each attempt a timeout, retries transient failures with backoff
  (tenacity), and keeps a circuit breaker per backend (circuitbreaker): when
  it is open the answer says the system is unavailable, at once;
- lets a started side-effecting call finish whatever happens to the handler
  (it runs shielded, and its result is recorded), and registers it with
  `cancel_on_interruption=False` so Pipecat delivers a result that arrives
  after a barge-in;
- says a filler ("One moment while I check.") once per caller turn when a
  call is still running after about a second. It is spoken before the answer
  exists, so the answer queues behind it instead of talking over it.

Calls of one LLM response run concurrently: the gate never serialises them.
It knows no domain: tools and their messages come from the caller.
"""

import asyncio
import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loguru import logger
from pipecat.adapters.llm.schemas.direct_function import tool_options
from pipecat.frames.frames import Frame, TTSSpeakFrame
from pipecat.services.llm_service import FunctionCallParams
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from conversation.messages import message_text
from conversation.tracing import call_span
from function_calls.breakers import Breakers
from function_calls.consent import is_affirmative
from function_calls.records import MemoryResultRecords, Result, ResultRecords

Speak = Callable[[str], Awaitable[None]]


def speaker(push: Callable[[Frame], Awaitable[None]]) -> Speak:
    """How a handler says a filler: spoken through `push`, kept out of the context."""

    async def speak(text: str):
        await push(TTSSpeakFrame(text, append_to_context=False))

    return speak


class InvalidArguments(Exception):
    """A tool argument that cannot be used; `message` is said to the caller."""

    def __init__(self, argument: str, message: str):
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


UNREADABLE_ARGUMENTS = "Sorry, I did not catch those details. Could you say them again?"
"""What the caller hears when a model's arguments cannot be read at all."""


class TransientError(Exception):
    """A failure worth retrying (busy, briefly unreachable)."""


@dataclass(frozen=True)
class GatedTool:
    """A tool as the gate runs it."""

    name: str
    run: Callable[[Any, str], Awaitable[Result]]
    """The work, given the normalised arguments and the call's idempotency key
    (a side-effecting backend stores it, so a repeated write is a no-op).
    Business outcomes are results; only infrastructure failures raise."""
    normalise: Callable[[Mapping[str, Any]], Any] = dict
    """Validates the raw arguments (raising `InvalidArguments`) and returns them
    normalised: equal requests normalise equal."""
    side_effect: bool = False
    backend: str = "default"
    timeout_secs: float = 5.0
    attempts: int = 3
    read_back: Callable[[Any], Awaitable[str | None]] | None = None
    """What the bot must read back before running these arguments, or None when
    no consent is needed (e.g. a booking that replaces nothing)."""
    fingerprint: Callable[[Any], Awaitable[str]] | None = None
    """Backend state that belongs in the idempotency key besides the arguments
    (e.g. the content a confirmation message confirms), or None."""
    after: tuple[str, ...] = ()
    """Tools whose calls already running in this session this one waits for (a
    confirmation asked for in the same response as the booking it confirms)."""
    failure_message: str = "That did not work just now."
    unavailable_message: str = "That system is not available right now."


def _user_turns(messages: Sequence[Any]) -> list[str]:
    return [message_text(m) for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]


@dataclass(frozen=True)
class _CallerTurn:
    """The caller's turn a call answers, read once when the call arrives: the
    conversation goes on while the call waits on a backend."""

    number: int
    said: str


@dataclass(frozen=True)
class _PendingConsent:
    user_turns: int
    """The caller's turn number when the read-back was asked for."""


class FunctionCallGate:
    """Runs tool calls for one session under the rules in the module docstring."""

    def __init__(
        self,
        tools: Sequence[GatedTool],
        *,
        session_id: str,
        records: ResultRecords | None = None,
        breakers: Breakers | None = None,
        transient: tuple[type[BaseException], ...] = (
            TransientError,
            TimeoutError,
            ConnectionError,
        ),
        backoff_initial_secs: float = 0.2,
        backoff_max_secs: float = 2.0,
        filler_text: str = "One moment while I check.",
        filler_after_secs: float = 1.0,
        consents: Callable[[str], bool] = is_affirmative,
        caller_turns: Callable[[], int] | None = None,
    ):
        """
        Args:
            tools: The tools this session may call.
            session_id: Part of every idempotency key: a repeat in this session (or after a
                reconnect to it) returns the first result.
            records: Where first results are kept (in memory when None).
            breakers: The process's circuit breakers, one per backend.
            transient: Failures worth retrying with backoff.
            backoff_initial_secs: The first retry's wait (with as much jitter).
            backoff_max_secs: The longest wait between retries.
            filler_text: Said once per caller turn when a call is still running.
            filler_after_secs: How long a call runs before the filler is said.
            consents: Whether the caller's turn says yes to a read-back.
            caller_turns: How many turns the caller has taken in the whole call. Without
                it the gate counts the caller's turns in the context, which is only right
                while the context keeps them all (the context compiler drops old ones).
        """
        self._tools = {tool.name: tool for tool in tools}
        self._in_flight: dict[str, set[asyncio.Event]] = {}
        """Tool name -> an event per call of it still running (for `GatedTool.after`)."""
        self._session_id = session_id
        self._records = records or MemoryResultRecords()
        self._breakers = breakers or Breakers()
        self._transient = transient
        self._backoff = wait_exponential_jitter(
            initial=backoff_initial_secs, max=backoff_max_secs, jitter=backoff_initial_secs
        )
        self._filler_text = filler_text
        self._filler_after = filler_after_secs
        self._consents = consents
        self._pending: dict[str, _PendingConsent] = {}
        self._running: dict[str, asyncio.Future[Result]] = {}
        """Idempotency key -> the side-effecting call running under it."""
        self._filler_turn: int | None = None
        self._caller_turns = caller_turns

    def is_side_effecting(self, name: str) -> bool:
        return self._tools[name].side_effect

    def handler(self, name: str) -> Callable[[FunctionCallParams], Awaitable[None]]:
        """A Pipecat function handler for `name`; side-effecting ones survive barge-in."""
        tool = self._tools[name]

        async def handle(params: FunctionCallParams):
            result = await self.call(
                name,
                params.arguments,
                messages=params.context.get_messages(),
                speak=speaker(params.llm.push_frame),
            )
            await params.result_callback(result)

        handle.__name__ = f"gated_{name}"
        return tool_options(handle, cancel_on_interruption=not tool.side_effect)

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any],
        *,
        messages: Sequence[Any] = (),
        speak: Speak | None = None,
    ) -> Result:
        """Run one call; `messages` is the conversation so far (the caller's turns decide consent)."""
        tool = self._tools.get(name)
        if tool is None:
            return {"ok": False, "error": "unknown_tool", "message": f"There is no tool {name}."}
        # A span per call (a no-op unless the call is traced); no arguments, only the outcome.
        with call_span(
            "tool_call",
            **{
                "tool.name": name,
                "tool.side_effect": tool.side_effect,
                "tool.backend": tool.backend,
            },
        ) as span:
            result = await self._run(tool, arguments, self._caller_turn(messages), speak)
            if span is not None:
                span.set_attribute("tool.ok", bool(result.get("ok")))
                span.set_attribute("tool.error", str(result.get("error") or ""))
            return result

    async def _run(
        self,
        tool: GatedTool,
        arguments: Mapping[str, Any],
        turn: _CallerTurn,
        speak: Speak | None,
    ) -> Result:
        name = tool.name
        # Registered before the first await, so a call started just after this one sees it.
        earlier = [done.wait() for other in tool.after for done in self._in_flight.get(other, ())]
        finished = asyncio.Event()
        self._in_flight.setdefault(name, set()).add(finished)
        try:
            if earlier:
                await asyncio.gather(*earlier)
            return await self._call(tool, arguments, turn, speak)
        finally:
            finished.set()
            self._in_flight[name].discard(finished)

    async def _call(
        self,
        tool: GatedTool,
        arguments: Mapping[str, Any],
        turn: _CallerTurn,
        speak: Speak | None,
    ) -> Result:
        name = tool.name
        try:
            args = self._normalised(tool, arguments)
        except InvalidArguments as invalid:
            logger.info(f"gate: {name} refused, bad {invalid.argument}")
            return {
                "ok": False,
                "error": "invalid_argument",
                "argument": invalid.argument,
                "message": invalid.message,
            }

        if self._breakers[tool.backend].opened:
            logger.warning(f"gate: {tool.backend} circuit open, {name} not attempted")
            return {"ok": False, "error": "unavailable", "message": tool.unavailable_message}

        filler = self._start_filler(turn, speak)
        try:
            if not tool.side_effect:
                return await self._guarded(tool, args, self.idempotency_key(name, args))
            return await self._side_effect(tool, args, turn)
        finally:
            if filler is not None:
                filler.cancel()

    @staticmethod
    def _normalised(tool: GatedTool, arguments: Any) -> Any:
        """The tool's normalised arguments. Whatever a model sent (a list, a number, values
        a validator did not foresee), anything but an object it can read is refused."""
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, Mapping):
            logger.info(f"gate: {tool.name} refused, arguments are a {type(arguments).__name__}")
            raise InvalidArguments("arguments", UNREADABLE_ARGUMENTS)
        try:
            return tool.normalise(arguments)
        except InvalidArguments:
            raise
        except Exception as error:
            # The type only: the message may quote an argument, a caller's details.
            logger.warning(f"gate: {tool.name} arguments unreadable: {type(error).__name__}")
            raise InvalidArguments("arguments", UNREADABLE_ARGUMENTS) from None

    async def _side_effect(self, tool: GatedTool, args: Any, turn: _CallerTurn) -> Result:
        try:
            extra = await tool.fingerprint(args) if tool.fingerprint else ""
        except Exception as error:
            return self._failed(tool, error)
        key = self.idempotency_key(tool.name, args, extra)
        # Shielded: whatever happens to this handler (barge-in, teardown), the
        # call runs to the end and its result is recorded. A duplicate arriving
        # meanwhile waits for the same result instead of running again.
        task = self._running.get(key)
        if task is None:
            task = asyncio.ensure_future(self._settle(tool, args, key, turn))
            self._running[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def _forget(self, key: str, task: asyncio.Future):
        if self._running.get(key) is task:
            del self._running[key]

    async def _settle(self, tool: GatedTool, args: Any, key: str, turn: _CallerTurn) -> Result:
        try:
            first = await self._records.get_result(key)
            read_back = None
            if first is None and tool.read_back is not None and not self._consented(key, turn):
                read_back = await tool.read_back(args)
        except Exception as error:
            return self._failed(tool, error)
        if first is not None:
            logger.info(f"gate: {tool.name} repeated, answering with its first result")
            return first
        if read_back is not None:
            self._pending[key] = _PendingConsent(turn.number)
            logger.info(f"gate: {tool.name} held until the caller confirms")
            return {
                "ok": False,
                "status": "confirmation_required",
                "read_back": read_back,
                "message": "Nothing was done yet. Read this back to the caller and ask them "
                "to confirm; once they say yes, call again with the same arguments.",
            }
        self._pending.pop(key, None)
        result = await self._guarded(tool, args, key)
        if result.get("error") not in ("unavailable", "failed"):
            try:
                await self._records.put_result(key, tool.name, result)
            except Exception as error:  # done all the same; the backend's own key stops a redo
                logger.warning(f"gate: {tool.name} result not recorded: {type(error).__name__}")
        return result

    def _consented(self, key: str, turn: _CallerTurn) -> bool:
        """Whether the caller's own last turn said yes to the read-back of exactly this call."""
        pending = self._pending.get(key)
        return (
            pending is not None
            and turn.number == pending.user_turns + 1
            and self._consents(turn.said)
        )

    def _caller_turn(self, messages: Sequence[Any]) -> _CallerTurn:
        turns = _user_turns(messages)
        number = self._caller_turns() if self._caller_turns is not None else len(turns)
        return _CallerTurn(number, turns[-1] if turns else "")

    async def _guarded(self, tool: GatedTool, args: Any, key: str) -> Result:
        breaker = self._breakers[tool.backend]
        if breaker.opened:
            logger.warning(f"gate: {tool.backend} circuit open, {tool.name} not attempted")
            return {"ok": False, "error": "unavailable", "message": tool.unavailable_message}
        try:
            return await breaker.call_async(self._attempts, tool, args, key)
        except Exception as error:
            return self._failed(tool, error)

    def _failed(self, tool: GatedTool, error: Exception) -> Result:
        # The type only: a backend's message may hold a caller's details.
        logger.warning(f"gate: {tool.name} failed: {type(error).__name__}")
        return {"ok": False, "error": "failed", "message": tool.failure_message}

    async def _attempts(self, tool: GatedTool, args: Any, key: str) -> Result:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(tool.attempts),
            wait=self._backoff,
            retry=retry_if_exception(lambda error: isinstance(error, self._transient)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number > 1:
                    logger.info(f"gate: {tool.name} attempt {number}")
                async with asyncio.timeout(tool.timeout_secs):
                    return await tool.run(args, key)
        raise AssertionError("unreachable: tenacity reraises the last failure")

    def _start_filler(self, turn: _CallerTurn, speak: Speak | None) -> asyncio.Task | None:
        if speak is None:
            return None

        async def filler():
            await asyncio.sleep(self._filler_after)
            if self._filler_turn != turn.number:
                self._filler_turn = turn.number
                try:
                    await speak(self._filler_text)
                except Exception as error:  # a filler that fails must not fail the call
                    logger.warning(f"gate: filler not said: {error}")

        return asyncio.create_task(filler())

    def idempotency_key(self, name: str, args: Any, extra: str = "") -> str:
        """Session + tool + normalised arguments (+ fingerprint), hashed."""
        canonical = json.dumps(_plain(args), sort_keys=True, default=str)
        material = f"{self._session_id}|{name}|{canonical}|{extra}"
        return hashlib.sha256(material.encode()).hexdigest()


def _plain(args: Any) -> Any:
    if dataclasses.is_dataclass(args):
        return dataclasses.asdict(args)
    if hasattr(args, "model_dump"):
        return args.model_dump(mode="json")
    return args
