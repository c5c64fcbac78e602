"""Recordings of calls: their files and folders, access and playback, transcripts and topics as
stored, legal holds and retention."""
