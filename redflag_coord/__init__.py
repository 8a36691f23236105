"""redflag-coord: coordinate an international workers' organisation from TOML files in git."""

__version__ = "0.4.0"  # as pyproject.toml (tests/test_release.py)
