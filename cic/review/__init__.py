"""The supervisor's review of calls and their topics, and full-text search in the transcripts."""
