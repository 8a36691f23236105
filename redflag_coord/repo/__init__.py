"""The repository on disk and in git: atomic writes that never overwrite unasked, and git queries.
Imports nothing else of redflag_coord."""
