"""Imports every domain's jobs module so the worker knows all handlers (domains add themselves here)."""
