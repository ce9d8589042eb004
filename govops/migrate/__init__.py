"""Cloud migration: the wave planner, per-system runbooks, and the lab rehearsals (see README.md)."""
