"""The pages' front-end files from the npm registry: ``package.json`` names them,
``package-lock.json`` pins each to a version and a sha512 integrity, and ``fetch`` brings
the few files the pages use into ``static/vendor/`` (``make install`` runs it)."""
