"""Call transcripts: data types, speech-to-text engines and redaction of personal data."""
