"""Routing: where a call to the municipal number goes."""
