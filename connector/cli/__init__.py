"""The `leadscore` command line."""
