"""Analyses are pure functions of the store's contents: matching, upgrades, policy."""
