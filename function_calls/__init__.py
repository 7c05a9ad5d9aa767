"""The function-call gate: consent, idempotency, timeouts, retries and breakers for tool calls.

Not a frame processor: every tool handler runs through it (see `gate.py`).
"""

from function_calls.breakers import Breakers
from function_calls.consent import is_affirmative, is_negative, is_question
from function_calls.gate import (
    FunctionCallGate,
    GatedTool,
    InvalidArguments,
    TransientError,
    speaker,
)
from function_calls.records import MemoryResultRecords, Result, ResultRecords

__all__ = [
    "Breakers",
    "FunctionCallGate",
    "GatedTool",
    "InvalidArguments",
    "MemoryResultRecords",
    "Result",
    "ResultRecords",
    "TransientError",
    "is_affirmative",
    "is_negative",
    "is_question",
    "speaker",
]
