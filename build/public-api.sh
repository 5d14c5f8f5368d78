#!/usr/bin/env bash
# Brings every packed library's PublicAPI.*.txt up to date with its code (Microsoft.CodeAnalysis.PublicApiAnalyzers).
#
#   build/public-api.sh              new public symbols go to PublicAPI.Unshipped.txt, removed ones leave either file
#   build/public-api.sh --shipped    the same, but new symbols go to PublicAPI.Shipped.txt (for a release)
#
# It rebuilds the solution with warnings allowed, reads the analyzer's RS0016 ("not part of the declared public API")
# and RS0017 ("part of the declared API, but ... could not be found") warnings, and edits the files; then review the
# diff: every line is a public signature that callers' code will compile against.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=PublicAPI.Unshipped.txt
[ "${1:-}" = "--shipped" ] && target=PublicAPI.Shipped.txt
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build Singer.Recommendation.sln -c Release -nologo -v q --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
python3 - "$log" "$target" <<'PY'
import re, sys, os, collections
log, target = sys.argv[1], sys.argv[2]
add = collections.defaultdict(set); remove = collections.defaultdict(set)
pat = re.compile(r"warning (RS0016|RS0017): Symbol '(.*)' (?:is not part of the declared public API|is part of the declared API).*\[(.*\.csproj)\]")
for line in open(log, encoding="utf-8"):
    m = pat.search(line)
    if m:
        (add if m.group(1) == "RS0016" else remove)[os.path.dirname(m.group(3))].add(m.group(2))
for folder in sorted(set(add) | set(remove)):
    for name in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
        path = os.path.join(folder, name)
        lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else ["#nullable enable"]
        body = [l for l in lines[1:] if l.strip() and l not in remove[folder]]
        if name == target:
            body = sorted(set(body) | add[folder], key=lambda s: s.replace("~", ""))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join([lines[0]] + body) + "\n")
    print(f"{os.path.relpath(folder)}: +{len(add[folder])} -{len(remove[folder])}")
errors = [l for l in open(log, encoding="utf-8") if " error " in l]
if errors:
    print("".join(sorted(set(errors))[:20]), file=sys.stderr)
    sys.exit(1)
PY
