"""`python -m app.cli`: the `wagraph` command without its installed script."""

from app.cli import main

main()
