"""`python -m targets`: the same command as `targets`."""
from targets.cli import app

app(prog_name="targets")
