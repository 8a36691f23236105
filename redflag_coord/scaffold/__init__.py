"""Creating things: a new organisation repository (init), with its CI workflow and hooks."""
