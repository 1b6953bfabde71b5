"""Load and durability: what a burst of asynchronous requests must leave behind (issue 19)."""
