"""Hostile targets: small loopback servers that break HTTP itself, and reference mutants
that break the outcome side wholesale. The suite must finish, never crash, never hang,
and record each as `fail` or `error` with a message that says what happened."""
