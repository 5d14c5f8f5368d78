#!/usr/bin/env bash
# The NuGet consumer check: does `dotnet add package Singer.Recommendation` give a working application?
#
#   build/consumer-check.sh          (or ./build.sh consumer-check)
#
# 1. Packs the six library packages (Core, Graphs, Encoders, Perturbation, Losses, Singer.Recommendation) into a
#    temporary folder, with a unique prerelease version so that no NuGet cache can serve an older build.
# 2. Checks each package: README, MIT licence expression, repository metadata, XML docs, a symbol package, and
#    `TorchSharp` as the only torch dependency (never a libtorch or TorchSharp-cpu/cuda backend).
# 3. Creates a brand-new console project outside the repository whose nuget.config lists that folder and nuget.org,
#    adds Singer.Recommendation plus TorchSharp-cpu (the CPU backend a user picks; it brings the Linux, Windows and
#    macOS natives, about 1.2 GB unpacked), and builds and runs a small program: train on the synthetic data for a
#    few epochs, save, load, recommend.
# Exits 0 when all of it works, 1 with a "consumer-check: FAILED" line otherwise. KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '[consumer-check] %s\n' "$*" >&2; }
fail() { printf 'consumer-check: FAILED: %s\n' "$*" >&2; exit 1; }

# Package versions come from the repository's central package management, so the consumer matches the build.
central_version() {
  sed -n "s:.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*:\1:p" "$root/Directory.Packages.props" | head -1
}
torchsharp=$(central_version TorchSharp)
torchsharp_cpu=$(central_version TorchSharp-cpu)
base=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)
[ -n "$torchsharp" ] && [ -n "$torchsharp_cpu" ] && [ -n "$base" ] || fail "cannot read the TorchSharp/TorchSharp-cpu versions or <Version> from Directory.Packages.props / Directory.Build.props"
version="$base-consumercheck.$(date -u +%Y%m%d%H%M%S)"

work=$(mktemp -d "${TMPDIR:-/tmp}/singer-consumer-check.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = "1" ]; then say "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
packages="$work/packages"
mkdir -p "$packages"

libraries=(Singer.Recommendation.Core Singer.Recommendation.Graphs Singer.Recommendation.Encoders
           Singer.Recommendation.Perturbation Singer.Recommendation.Losses Singer.Recommendation)

# --- 1. Pack (a separate artifacts folder keeps the repository's bin/ and obj/ untouched). -------------------------
say "packing ${#libraries[@]} libraries as $version"
{
  printf '{ "solution": { "path": "%s", "projects": [' "$root/Singer.Recommendation.sln"
  sep=""
  for id in "${libraries[@]}"; do printf '%s"src/%s/%s.csproj"' "$sep" "$id" "$id"; sep=", "; done
  printf '] } }\n'
} > "$work/libraries.slnf"
dotnet pack "$work/libraries.slnf" -c Release -nologo -v q -p:Version="$version" \
  --artifacts-path "$work/artifacts" -o "$packages" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack failed (log above)"; }

# --- 2. Inspect every package. --------------------------------------------------------------------------------------
for id in "${libraries[@]}"; do
  nupkg="$packages/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "$id: $nupkg was not produced"
  [ -f "$packages/$id.$version.snupkg" ] || fail "$id: no symbol package (.snupkg)"
  files=$(unzip -Z1 "$nupkg")
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  grep -qx 'README.md' <<<"$files" || fail "$id: README.md is not in the package"
  [ "$(unzip -p "$nupkg" README.md | wc -c)" -ge 300 ] || fail "$id: README.md is a stub (under 300 bytes)"
  grep -qx "lib/net10.0/$id.dll" <<<"$files" || fail "$id: lib/net10.0/$id.dll is missing"
  grep -qx "lib/net10.0/$id.xml" <<<"$files" || fail "$id: the XML documentation lib/net10.0/$id.xml is missing"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: the licence is not the MIT expression"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: the nuspec does not name its README"
  grep -q '<repository type="git" url="https://' <<<"$nuspec" || fail "$id: no repository metadata"
  grep -q '<dependency id="TorchSharp" ' <<<"$nuspec" || fail "$id: does not depend on TorchSharp"
  if grep -Eiq '<dependency id="(libtorch|TorchSharp-)' <<<"$nuspec"; then
    fail "$id: depends on a native torch backend; libraries must reference the managed TorchSharp package only"
  fi
done
nuspec=$(unzip -p "$packages/Singer.Recommendation.$version.nupkg" Singer.Recommendation.nuspec)
for id in "${libraries[@]:0:5}"; do
  grep -q "<dependency id=\"$id\" version=\"$version\"" <<<"$nuspec" || fail "Singer.Recommendation does not depend on $id $version"
done
say "packages OK: $(cd "$packages" && ls | tr '\n' ' ')"

# --- 3. A brand-new consumer outside the repository. ----------------------------------------------------------------
app="$work/consumer"
mkdir -p "$app"
user_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
# Its own package folder (nothing leaks into the user's cache), with the user's cache as a read-only fallback so
# that TorchSharp and the libtorch natives (~1.2 GB unpacked) are not downloaded again when they are there.
cat > "$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/nuget-cache" />
  </config>
  <packageSources>
    <clear />
    <add key="local" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="user" value="$user_cache" />
  </fallbackPackageFolders>
</configuration>
EOF
cd "$app"
unset NUGET_PACKAGES
say "creating a console project in $app"
dotnet new console --framework net10.0 --name Consumer --output . >"$work/new.log" 2>&1 || { cat "$work/new.log" >&2; fail "dotnet new console failed"; }
# The package sources come from nuget.config (the local folder and nuget.org): `--source <folder>` alone would hide
# nuget.org from the restore, and the dependencies (TorchSharp, MathNet.Numerics, ...) come from there.
for spec in "Singer.Recommendation $version" "TorchSharp-cpu $torchsharp_cpu"; do
  set -- $spec
  say "dotnet add package $1 --version $2"
  dotnet add package "$1" --version "$2" >"$work/add.log" 2>&1 || { cat "$work/add.log" >&2; fail "dotnet add package $1 $2 failed"; }
done

cat > Program.cs <<'EOF'
// A first program against the published packages: train, save, load, recommend.
using Singer.Recommendation;
using Singer.Recommendation.Core;

var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 300, Items = 200, Interactions = 6_000, Clusters = 8 });
string path = Path.Combine(Path.GetTempPath(), $"consumer-{Guid.NewGuid():N}.singer");
using (var model = SingerModelBuilder.Singer(data).WithTraining(t => t.MaxEpochs(3).EmbeddingSize(32).BatchSize(1024)).WithSeed(1).Build())
{
    TrainingReport report = model.Fit();
    Console.WriteLine($"Trained {report.ModelName}: {report.Epochs.Count} epochs, test Recall@20 {report.Test!.Recall(20):F4}");
    model.Save(path);
}

using var loaded = SingerModel.Load(path);
using var engine = RecommendationEngine.Create(loaded);
var top = engine.Recommend(data.Users[0], k: 5);
Console.WriteLine($"Top 5 for {data.Users[0]}: {string.Join(", ", top.Select(r => r.ItemId))}");
File.Delete(path);
Console.WriteLine(top.Count == 5 ? "CONSUMER OK" : "CONSUMER FAILED: expected 5 items");
return top.Count == 5 ? 0 : 1;
EOF

say "building and running the consumer"
dotnet build -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "the consumer project does not build against the packages"; }
output=$(dotnet run -c Release --no-build 2>&1) || { printf '%s\n' "$output" >&2; fail "the consumer program failed"; }
printf '%s\n' "$output" | sed 's/^/[consumer] /' >&2
grep -qx 'CONSUMER OK' <<<"$output" || fail "the consumer program did not report CONSUMER OK"
say "OK: a new project with 'dotnet add package Singer.Recommendation' trains, saves, loads and recommends"
