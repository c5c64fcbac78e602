"""Call records: lifecycle, timeline, recordings."""
