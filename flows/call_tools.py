"""Tools every LLM of the bot can call, generative or on-device."""

from collections.abc import Sequence

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.frames.frames import EndWorkerFrame, FunctionCallResultProperties
from pipecat.services.llm_service import FunctionCallParams


async def end_call(params: FunctionCallParams):
    """End the call once the goodbye already queued has been spoken."""
    await params.result_callback(
        {"status": "call ended"}, properties=FunctionCallResultProperties(run_llm=False)
    )
    # Downstream, behind the goodbye: the worker ends only after it is heard.
    await params.llm.push_frame(EndWorkerFrame(reason="the caller said goodbye"))


END_CALL = FunctionSchema(
    name="end_call",
    description="Hang up. Call it after saying goodbye, when the caller is done.",
    properties={},
    required=[],
    handler=end_call,
)


def call_tools(extra: Sequence[FunctionSchema] = ()) -> list[FunctionSchema]:
    """end_call, and `extra` (e.g. the booking tools, bound to a call's gate)."""
    return [END_CALL, *extra]
