"""``python -m ossmeta`` runs the command-line interface."""

from ossmeta.surfaces.cli.app import main

raise SystemExit(main())
