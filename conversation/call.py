"""One call's shared parts: its id, its state and its redactor."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from conversation.redaction import Redactor
from conversation.state import ConversationState


@dataclass
class Call:
    """What the state extractor, the context compiler, the recorder and the log lines share."""

    redactor: Redactor
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: ConversationState = field(default_factory=ConversationState)
    started_at: datetime = field(default_factory=lambda: utc_now())

    @property
    def short_id(self) -> str:
        """The id as log lines show it."""
        return self.id[:8]


def utc_now() -> datetime:
    """Naive UTC, as the call records store times."""
    return datetime.now(UTC).replace(tzinfo=None)
