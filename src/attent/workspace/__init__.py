"""The agent's workspace: My work (the start page) and the team lead's view."""
