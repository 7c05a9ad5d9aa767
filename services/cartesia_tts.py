"""Cartesia that says when its stream drops.

What Pipecat lacks: its websocket services reconnect on their own when the
socket drops, and the reply in flight is lost without an ErrorFrame; nothing
upstream learns why the bot went quiet, and a failover (services/failover.py)
cannot answer the turn. This reports the drop, then reconnects as before.
"""

from pipecat.services.cartesia.tts import CartesiaTTSService
from pipecat.utils.errors import ErrorCategory


class DropReportingCartesiaTTSService(CartesiaTTSService):
    """`CartesiaTTSService` that pushes an ErrorFrame when its websocket drops."""

    async def _maybe_try_reconnect(self, error_message, report_error, error=None) -> bool:
        if not self._disconnecting:
            await self.push_error(
                f"the stream dropped: {error_message}", category=ErrorCategory.CONNECTIVITY
            )
        return await super()._maybe_try_reconnect(error_message, report_error, error)
