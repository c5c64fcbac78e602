"""The call register for supervisors: every call searched and filtered, and one call with
its legs, timeline, recording, transcript and links."""
