"""Speech: speech-to-text engines, redaction of personal data, and a transcript's data types."""
