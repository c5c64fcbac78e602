"""Callback instead of waiting: the resident leaves the queue, keeps their place, is called back."""
