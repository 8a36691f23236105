"""redflag-coord: coordinate an international workers' organisation from TOML files in git."""

__version__ = "0.1.0"
