"""The checks: one module per area, each test naming the behaviours it judges."""
