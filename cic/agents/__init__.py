"""Agents, departments, presence and queue membership."""
