"""Policy as code: what a foundation or a company allows into its builds, decided per
release and explained. ``model`` is the contract between the policy engine and the
surfaces that enforce it (the package indexes, the inventories)."""
