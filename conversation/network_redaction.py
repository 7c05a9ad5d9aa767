"""A caller's network details out of log lines: ICE credentials, DTLS fingerprints, IP
addresses and peer-connection ids.

A failed SDP offer makes Pipecat log the whole request at DEBUG: the caller's
`a=ice-ufrag`/`a=ice-pwd` (enough to inject into the ICE session), the DTLS
fingerprint and every candidate address (their home IP). Pipecat's WebRTC request
handler also logs the peer-connection id (at INFO and DEBUG), and that id is what a PATCH to
/api/offer needs to add ICE candidates to a live call. The SDP may be logged raw or
inside a repr, where its line breaks are the two characters `\\r\\n`; values stop at
either. Loopback and unspecified addresses (the bot's own, on one machine) are kept.
"""

import ipaddress
import re

IP = "[IP]"
SECRET = "[REDACTED]"
PC_ID = "[PC_ID]"

_VALUE = r"[^\s\\'\"]{1,256}"
_SDP_SECRET = re.compile(rf"(a=(?:ice-ufrag|ice-pwd):){_VALUE}", re.IGNORECASE)
_FINGERPRINT = re.compile(rf"(a=fingerprint:){_VALUE}(?:[ \t]{_VALUE})?", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
# Four or more hex groups, or any "::" form; three groups ("19:30:00") is a time.
_IPV6 = re.compile(
    r"(?<![\w:.])(?:(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}"
    r"|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6}"
    r"|(?:[0-9a-f]{1,4}:){1,7}:)"
    r"(?:%[\w.-]{1,32})?(?![\w:])",
    re.IGNORECASE,
)
# Pipecat names a peer connection "<name>-<uuid4 hex>", e.g. SmallWebRTCConnection#0-3f2a...
_PC_ID = re.compile(r"\b[\w.]{1,64}#\d{1,9}-[0-9a-f]{32}\b")


def redact_network(text: str) -> str:
    """`text` without ICE credentials, fingerprints or non-loopback IP addresses."""
    if "a=" in text:
        text = _SDP_SECRET.sub(lambda m: m[1] + SECRET, text)
        text = _FINGERPRINT.sub(lambda m: m[1] + SECRET, text)
    if "." in text:
        text = _IPV4.sub(_address_or_same, text)
    if ":" in text:
        text = _IPV6.sub(_address_or_same, text)
    return text


def redact_peer_connection_ids(text: str) -> str:
    """`text` without Pipecat peer-connection ids."""
    return _PC_ID.sub(PC_ID, text) if "#" in text else text


def _address_or_same(match: re.Match) -> str:
    try:
        address = ipaddress.ip_address(match[0].split("%", 1)[0])
    except ValueError:
        return match[0]  # "999.1.1.1", "dead:beef:cafe:f00d:1:2:3:4:5": not an address
    if address.is_loopback or address.is_unspecified:
        return match[0]
    return IP
