"""Q Lab Workspace: the service core, CLI and app."""
