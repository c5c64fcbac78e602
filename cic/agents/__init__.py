"""Agents, their presence, queues and queue membership, and who is free right now (the
departments they belong to are ``cic.departments``)."""
