"""`python -m airgrade.cli`: the same command line as the `airgrade` script (the server starts its worker so)."""

from airgrade.cli import main

main()
