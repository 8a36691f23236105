"""benchmarks/generate.py for tests, loaded once by its path.

By path, not by name: docs/ has a module called `generate` too, and under xdist the wrong one
could be imported."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

GENERATE = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module
