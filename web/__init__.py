"""How callers reach the bot over the web: the page at `/`, loopback ICE, Daily rooms."""
