"""Post-call processing: durable jobs per call recording, their queue, workers and pipeline
(transcribe, redact, tag), the worker process and the backlog."""
