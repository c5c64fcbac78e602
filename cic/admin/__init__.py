"""Administration (admin role): agents, departments, queues and the office's stored settings."""
