#!/usr/bin/env bash
# Prints the path of a Python >= 3.12, looking where a user's machine offers one:
# python3.13, python3.12, python3 on PATH (checked by version), then pyenv's versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in python3.13 python3.12 python3; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "videobot needs Python >= 3.12: install it (e.g. 'pyenv install 3.12' or your OS package) and run make again." >&2
exit 1
