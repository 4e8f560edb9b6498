"""`python -m connector` runs the `leadscore` command line."""

from connector.cli.app import main

main()
