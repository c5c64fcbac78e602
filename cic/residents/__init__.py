"""Residents: people who contact the office, each with one or more phone numbers."""
