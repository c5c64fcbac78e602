"""Recordings after the call: durable post-call jobs, transcripts, topics, access, retention."""
