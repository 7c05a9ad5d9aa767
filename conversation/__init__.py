"""What a call leaves behind: its typed state, its redacted transcript, and its log lines."""
