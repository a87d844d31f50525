"""Writes for events: the only place that changes event state (see docs/architecture.md)."""
