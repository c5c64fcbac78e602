"""Component tests: one part of cic against real SQLite, PostgreSQL, Redis, files or processes
(no Asterisk); see tests/unit for the tests without I/O."""
