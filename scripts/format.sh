#!/usr/bin/env bash
# format.sh — formats the C++ sources with the house .clang-format.
#   scripts/format.sh          rewrites every file in place (src include tests/unit bench fuzz)
#   scripts/format.sh --check  changes nothing; lists the files that would change, exit 1 if any
# Pinned to clang-format 19 (Debian 12: clang-format-19, from scripts/install-deps.sh),
# because versions format differently; CLANG_FORMAT=/path/to/clang-format overrides.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=fix
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "format.sh: unknown argument '$1' (use --check, or nothing)" >&2; exit 2 ;;
esac

cf="${CLANG_FORMAT:-clang-format-19}"
if ! command -v "$cf" >/dev/null 2>&1; then
  echo "format.sh: $cf not found (apt-get install clang-format-19, or set CLANG_FORMAT)" >&2
  exit 2
fi

mapfile -d '' files < <(find src include tests/unit bench fuzz -type f \
  \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
if [ ${#files[@]} -eq 0 ]; then
  echo "format.sh: no sources found" >&2
  exit 2
fi

if [ "$mode" = fix ]; then
  "$cf" -i --style=file "${files[@]}"
  exit 0
fi

changed=0
for f in "${files[@]}"; do
  if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
    echo "would reformat: $f"
    changed=$((changed + 1))
  fi
done
if [ "$changed" -gt 0 ]; then
  echo "format.sh: $changed of ${#files[@]} files are not formatted (run scripts/format.sh)" >&2
  exit 1
fi
echo "format.sh: all ${#files[@]} files formatted"
