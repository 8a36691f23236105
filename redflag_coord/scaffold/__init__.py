"""Creating things: a new organisation repository (init), new collectives and meetings (new), and a
collective's rename with every reference (rename)."""
