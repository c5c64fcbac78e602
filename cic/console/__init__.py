"""The agent's console: softphone, presence, screen pop, wrap-up."""
