#!/usr/bin/env bash
# Singer.Recommendation — one entry point for set-up, build, tests and the quick start.
#
#   ./build.sh quickstart [args]  set up, then run the main job on the embedded synthetic data
#   ./build.sh test [args]        set up, then build and run every test (results in artifacts/test-results)
#   ./build.sh build              set up, then build the solution (Release)
#   ./build.sh setup              only the system check below
#   ./build.sh pack               build the NuGet packages into artifacts/packages
#   ./build.sh consumer-check     pack the libraries (and Features), then build and run a new project that references them
#
# Every verb first checks that the C++ runtime provides GLIBCXX_3.4.32, which TorchSharp's native
# shim (libLibTorchSharp.so, built with GCC 13) needs. Debian 12 ships GCC 12's libstdc++ (3.4.30):
# there, and only there, this script installs libstdc++6 from Debian 13 "trixie" with a low pin
# priority, so nothing else on the system is upgraded. The next run finds the symbol and does nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '[build.sh] %s\n' "$*" >&2; }

find_libstdcxx() {
  local candidates=(/usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6)
  local lib
  lib=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$lib" ] && { readlink -f "$lib"; return; }
  for lib in "${candidates[@]}"; do [ -e "$lib" ] && { readlink -f "$lib"; return; }; done
}

has_glibcxx_3_4_32() {
  local lib; lib=$(find_libstdcxx)
  [ -n "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib"
}

ensure_libstdcxx() {
  if has_glibcxx_3_4_32; then return 0; fi
  local id="" version=""
  if [ -r /etc/os-release ]; then . /etc/os-release; id=${ID:-}; version=${VERSION_ID:-}; fi
  if [ "$id" != "debian" ] || [ "$version" != "12" ]; then
    say "TorchSharp 0.107 needs libstdc++ with GLIBCXX_3.4.32 (GCC 13 or newer); this system's"
    say "libstdc++ ($(find_libstdcxx || echo 'not found')) lacks it. Install a newer libstdc++6"
    say "(Ubuntu 24.04, Debian 13 and current Fedora already have it), then run this again."
    exit 3
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null || { say "Installing libstdc++6 from Debian 13 needs root; run as root or install sudo."; exit 3; }
    sudo="sudo"
  fi
  say "Debian 12 detected: libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp's native shim needs."
  say "Installing libstdc++6 (and only what it pulls, libc6 2.41 among them) from Debian 13 'trixie',"
  say "pinned at priority 100 so no other package is upgraded. This happens once."
  local src=/etc/apt/sources.list.d/singer-trixie.sources
  local pin=/etc/apt/preferences.d/singer-trixie-pin
  $sudo tee "$src" >/dev/null <<'EOF'
# Added by Singer.Recommendation build.sh: Debian 13 for libstdc++6 (GLIBCXX_3.4.32), pinned low.
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  $sudo tee "$pin" >/dev/null <<'EOF'
# Added by Singer.Recommendation build.sh: never upgrade from trixie unless asked by name.
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
  $sudo apt-get update -qq -o Dir::Etc::sourcelist="$src" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  if has_glibcxx_3_4_32; then
    say "libstdc++6 from trixie installed: GLIBCXX_3.4.32 is now available."
  else
    say "libstdc++6 was installed from trixie but GLIBCXX_3.4.32 is still missing; please report this."
    exit 3
  fi
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { say "The .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH."; exit 3; }
}

run_tests() {
  local results="$root/artifacts/test-results"
  rm -rf "$results"
  mkdir -p "$results"
  dotnet build Singer.Recommendation.sln -c Release -nologo -v q
  local rc=0
  dotnet test Singer.Recommendation.sln -c Release --no-build -nologo \
    --results-directory "$results" --logger "trx" --logger "console;verbosity=normal" "$@" || rc=$?
  dotnet run --project build/TrxSummary -c Release -- "$results" || rc=$((rc == 0 ? 1 : rc))
  return $rc
}

verb=${1:-help}
[ $# -gt 0 ] && shift
case "$verb" in
  setup) ensure_libstdcxx; say "System ready: GLIBCXX_3.4.32 present." ;;
  build) ensure_libstdcxx; ensure_dotnet; dotnet build Singer.Recommendation.sln -c Release -nologo ;;
  test) ensure_libstdcxx; ensure_dotnet; run_tests "$@" ;;
  quickstart) ensure_libstdcxx; ensure_dotnet
    dotnet run --project samples/Singer.QuickStart -c Release -- "$@" ;;
  pack) ensure_dotnet
    rm -rf artifacts/packages
    dotnet pack Singer.Recommendation.sln -c Release -nologo -o artifacts/packages ;;
  consumer-check) ensure_libstdcxx; ensure_dotnet; bash build/consumer-check.sh "$@" ;;
  help|-h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "unknown verb '$verb'"; sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
