"""Calls from the organisation's telephone system: events in, contacts and call-back promises out."""
