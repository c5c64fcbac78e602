"""SIPp as residents and agents: scenarios, audio pcaps, process runner (tests and demo)."""
