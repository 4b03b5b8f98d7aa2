"""``python -m ossmeta`` runs the command-line interface."""

from ossmeta.surfaces.cli.app import main

# The guard matters: a sync's writer process is started with "spawn", which imports the
# main module again.
if __name__ == "__main__":
    raise SystemExit(main())
