"""Sign-in, roles, server-side sessions, CSRF and Origin checks, throttling and the audit log."""
