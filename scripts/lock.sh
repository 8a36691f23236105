#!/usr/bin/env bash
# Refresh requirements/test.lock: every package the test environment installs, pinned, resolved for
# CI's platform (Python 3.11 on x86_64 Linux, glibc 2.28 or newer): a universal lock once chose an
# atheris release with wheels only for newer glibc, which pip could not install here. Elsewhere the
# pins still constrain the same packages (pip's -c installs nothing by itself). The README's test command and .ci/run
# install with `-c requirements/test.lock`. Run after changing dependencies in pyproject.toml, or to
# take newer releases (CI's "newest" step shows whether they work), and commit the lock with them.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=$(command -v uv || true)
if [ -z "$uv" ]; then
  # uv is only the resolver here: a throwaway environment, not a dependency of the project.
  python3 -m venv /tmp/redflag-lock-uv && /tmp/redflag-lock-uv/bin/pip install -q uv
  uv=/tmp/redflag-lock-uv/bin/uv
fi
"$uv" pip compile pyproject.toml --extra test --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --output-file requirements/test.lock "$@"
