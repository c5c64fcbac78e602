"""Speech-to-text engines (Vosk, faster-whisper) and the sox-based audio reader they share."""
