"""Deepgram that says when its stream closes or stops taking audio.

What Pipecat lacks: its Deepgram service reports a websocket error, but a
socket the server closes cleanly (a restart: 1001, going away) or one that
fails to take audio ("send_media failed") is reconnected in silence, after a
backoff of a second or more, and the turn's audio sent meanwhile is lost. A
failover (services/failover.py) then learns of it only at the final's deadline.
This reports both as errors at once, drops the dead socket at once (Pipecat
keeps it until its close handshake ends), then reconnects as before.

It also sends the caller's audio uncompressed: the SDK's websocket offers
permessage-deflate, and a server that accepts it (the provider fake does) had
every 20 ms of PCM deflated on the event loop (about half the cost of sending
it, in a profile of three calls), for audio that hardly compresses.
"""

from pipecat.services.deepgram.stt import DeepgramSTTService
from pipecat.utils.errors import ErrorCategory
from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import PerMessageDeflate

try:
    from deepgram.core.events import EventType
except ModuleNotFoundError:  # pragma: no cover - the extra is installed with Deepgram
    EventType = None


class InflateOnly(Extension):
    """permessage-deflate that inflates what the server compressed and compresses nothing.

    RFC 7692 lets either side send any message uncompressed (RSV1 unset) once the
    extension is agreed, and the server's decoder passes such a message as it is.

    Args:
        deflate: The extension the handshake agreed on.
    """

    def __init__(self, deflate: PerMessageDeflate):
        self.name = deflate.name
        self._deflate = deflate

    def decode(self, frame, *, max_size=None):
        return self._deflate.decode(frame, max_size=max_size)

    def encode(self, frame):
        return frame


def send_uncompressed(connection) -> None:
    """Stop the SDK's socket `connection` compressing what it sends (see `InflateOnly`)."""
    socket = getattr(connection, "_websocket", None)  # the SDK keeps the websockets protocol
    extensions = getattr(socket, "extensions", None)
    if extensions:
        socket.extensions = [
            InflateOnly(e) if isinstance(e, PerMessageDeflate) else e for e in extensions
        ]


class DropReportingDeepgramSTTService(DeepgramSTTService):
    """`DeepgramSTTService` that pushes an ErrorFrame when its stream ends unasked."""

    async def _keepalive_handler(self):
        # Started once per connection, right after it opened: the hook to watch its close.
        connection = self._connection
        if connection is not None:
            send_uncompressed(connection)
        if connection is not None and EventType is not None:
            reported = []

            async def on_error(_):
                reported.append(True)
                self._forget(connection)

            async def on_close(_):
                # Our own disconnect clears `_connection` first; an error was reported already.
                if self._connection is connection and not reported:
                    await self._report("the server closed the stream")
                self._forget(connection)

            connection.on(EventType.ERROR, on_error)
            connection.on(EventType.CLOSE, on_close)
        await super()._keepalive_handler()

    def _forget(self, connection):
        # Pipecat clears it only once the socket's close handshake is over (up to the
        # client's close timeout): until then audio went into a dead socket, and the
        # failover's probe took the dead socket for a live one.
        if self._connection is connection:
            self._connection = None

    async def run_stt(self, audio: bytes):
        connected = self._connection is not None
        async for frame in super().run_stt(audio):
            yield frame
        if connected and self._connection is None:
            await self._report("sending audio failed")

    async def _report(self, what: str):
        await self.push_error(
            f"the stream dropped: {what}; reconnecting", category=ErrorCategory.CONNECTIVITY
        )
