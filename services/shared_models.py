"""One ONNX session per model for the whole process, however many calls build one.

Each call builds its own Silero VAD, Smart Turn and Piper, and Pipecat (and Piper) load
the model in the constructor with no way to pass one in: each call took its own ONNX
sessions, about 1 s of CPU to build, and 20 calls at once left the process 1.6 GB
larger after they had ended (bench/load.py). The sessions keep no state between runs
(Silero's recurrent state lives in its Python wrapper, one per call), and onnxruntime
runs one session from several threads at once.

They are built without onnxruntime's CPU memory arena: a session run from several calls'
threads at once grows its arena to their peak together and never gives it back (some 50 MB
after a round of 20 cloud calls, `python -m bench.load --only leaks`); without it each run's
buffers go back to malloc, for no measurable CPU (Smart Turn v3: 45-54 ms a run either way,
Silero 0.13-0.14 ms, 2-core Xeon).

Nor do its idle threads spin: after each run onnxruntime's intra-op threads busy-wait for the
next, which on two cores takes CPU from every other call (Smart Turn v3 on two threads: 230 ms
of CPU a run spinning, 160 ms not, and 87 -> 58 ms of wall time; 2-core EPYC, 1 Dec 2026).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import onnxruntime

_sessions: dict[tuple, object] = {}
_lock = threading.Lock()


def session_key(model, sess_options=None, providers=None, **kwargs) -> tuple:
    """What makes two ONNX sessions interchangeable: the model and how it runs."""
    source = str(model) if isinstance(model, str | Path) else hash(bytes(model))
    options = (
        None
        if sess_options is None
        else (
            sess_options.intra_op_num_threads,
            sess_options.inter_op_num_threads,
            sess_options.execution_mode,
            sess_options.graph_optimization_level,
        )
    )
    return source, options, repr(providers), repr(sorted(kwargs.items()))


@contextmanager
def shared_onnx_sessions() -> Iterator[None]:
    """While open, `onnxruntime.InferenceSession(...)` returns the process's session for
    the same model and options, built once (the constructors look the class up on the
    module when they run)."""
    build = onnxruntime.InferenceSession

    def shared(model, sess_options=None, providers=None, **kwargs):
        key = session_key(model, sess_options, providers, **kwargs)
        with _lock:
            if key not in _sessions:
                options = sess_options or onnxruntime.SessionOptions()
                options.enable_cpu_mem_arena = False
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                _sessions[key] = build(model, sess_options=options, providers=providers, **kwargs)
            return _sessions[key]

    onnxruntime.InferenceSession = shared
    try:
        yield
    finally:
        onnxruntime.InferenceSession = build
