"""The terminal: `stackbot` and its subcommands."""
