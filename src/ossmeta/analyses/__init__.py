"""Analyses are pure functions of what the store holds: advisory matching and upgrades,
identities, data quality, activity metrics and OpenRank."""
