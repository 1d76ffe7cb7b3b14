"""A group's data as one JSON file (export) and that file recreated on another instance (import)."""
