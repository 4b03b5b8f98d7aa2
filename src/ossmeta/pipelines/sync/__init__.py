"""Syncing package registries into the store: ``run`` drives a sync, ``process`` runs it
in a process of its own, ``write`` stores a fetched batch, ``registry`` is the contract
each registry adapter (``pypi``, ``npm``, ``maven``, ``crates``) fulfils.
"""
