"""First-line overflow: reserve specialists join the first line when it is swamped."""
