"""The Lab's year: timeline and phases, what changed, ideas and their suggestions, the overview."""
