"""Tenant domain logic between the surfaces (CLI, API) and the analyses: accounts now,
inventories and monitoring later. It speaks to the store through the store's interfaces and
tenant transactions (``ossmeta.store.tenancy``), never in SQL."""
