"""What a WebRTC offer (POST /api/offer) and an ICE patch (PATCH /api/offer) must look like.

Checked before anything is started: a body that is not JSON, a field of the
wrong type, or an SDP that is not an audio offer aiortc can read is refused
with 400 and a short reason that never echoes the caller's SDP.
"""

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

MAX_CANDIDATES = 50


class InvalidRequest(Exception):
    """A request body the server refuses; its message is safe to show the client."""


class Offer(BaseModel):
    """The SDP offer Pipecat's client sends (extra fields are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sdp: StrictStr = Field(min_length=1)
    type: Literal["offer"]
    pc_id: StrictStr | None = Field(None, max_length=128)
    restart_pc: StrictBool | None = None
    request_data: dict[str, Any] | None = Field(None, alias="requestData")


class Candidate(BaseModel):
    """One trickled ICE candidate; an empty `candidate` ends the candidates."""

    candidate: StrictStr = Field(max_length=1024)
    sdp_mid: StrictStr = Field(max_length=64)
    sdp_mline_index: StrictInt = Field(ge=0, le=16)


class Patch(BaseModel):
    """Candidates for a peer connection already made."""

    model_config = ConfigDict(extra="ignore")

    pc_id: StrictStr = Field(min_length=1, max_length=128)
    candidates: list[Candidate] = Field(default_factory=list, max_length=MAX_CANDIDATES)


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("the body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the body is not a JSON object")
    return data


def _reason(error: ValidationError) -> str:
    """The fields that failed, without their values."""
    fields = sorted(
        {".".join(str(part) for part in item["loc"]) or "body" for item in error.errors()}
    )
    return f"invalid or missing: {', '.join(fields)}"


def parse_offer(body: bytes) -> Offer:
    """The offer in `body`, checked; raises InvalidRequest."""
    data = _json_object(body)
    if "request_data" in data and "requestData" not in data:
        data["requestData"] = data.pop("request_data")
    try:
        offer = Offer.model_validate(data)
    except ValidationError as error:
        raise InvalidRequest(_reason(error)) from None
    check_sdp(offer.sdp)
    return offer


def parse_patch(body: bytes) -> Patch:
    """The ICE patch in `body`, checked; raises InvalidRequest."""
    try:
        patch = Patch.model_validate(_json_object(body))
    except ValidationError as error:
        raise InvalidRequest(_reason(error)) from None
    for item in patch.candidates:
        if item.candidate:
            check_candidate(item.candidate)
    return patch


def check_sdp(sdp: str) -> None:
    """An offer aiortc can answer: SDP lines, an audio section, ICE credentials and DTLS."""
    from aiortc.sdp import SessionDescription

    lines = sdp.replace("\r\n", "\n").strip().split("\n")
    if lines[0].strip() != "v=0" or any(len(line) < 2 or line[1] != "=" for line in lines):
        raise InvalidRequest("the sdp is not a session description")
    try:
        parsed = SessionDescription.parse(sdp)
    except Exception:  # aiortc raises whatever its parser hits on a malformed line
        raise InvalidRequest("the sdp could not be parsed") from None
    audio = [media for media in parsed.media if media.kind == "audio"]
    if not audio:
        raise InvalidRequest("the sdp offers no audio")
    for media in parsed.media:
        if not media.ice.usernameFragment or not media.ice.password:
            raise InvalidRequest("the sdp has no ICE credentials")
        if media.dtls is None or not media.dtls.fingerprints:
            raise InvalidRequest("the sdp has no DTLS fingerprint")


def check_candidate(candidate: str) -> None:
    """An ICE candidate line aiortc can read."""
    from aiortc.sdp import candidate_from_sdp

    try:
        candidate_from_sdp(candidate.removeprefix("candidate:"))
    except Exception:
        raise InvalidRequest("a candidate could not be parsed") from None
