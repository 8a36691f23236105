"""The roles rota of a body, as a command: `roles next` (the rule lives in org.rota)."""
