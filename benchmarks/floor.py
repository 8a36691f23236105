"""The floor: find, read and tomllib-parse every TOML file of an organisation, in one process.

    python benchmarks/floor.py ROOT

No checking at all: any validator must at least do this much (or share it out
over several cores). The runner times it as a command, like `validate`, so both
include the start of the interpreter.
"""

import os
import sys
import tomllib


def parse_all(root: str) -> int:
    n = 0
    for folder, _dirs, files in os.walk(os.path.join(root, "collectives")):
        for name in files:
            if name.endswith(".toml"):
                with open(os.path.join(folder, name), "rb") as f:
                    tomllib.loads(f.read().decode("utf-8"))
                n += 1
    return n


if __name__ == "__main__":
    print(parse_all(sys.argv[1]))
