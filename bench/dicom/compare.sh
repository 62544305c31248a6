#!/usr/bin/env bash
# Compares Repère's worklist server with dcmtk's wlmscpfs on loopback: same
# worklist (written as .wl files with dump2dcm), same client (our SCU, one
# association per query, as consoles do), 20/500/5000 items, 1 and 8
# clients, a fixed time per measurement. Prints a Markdown table.
#
#   bench/dicom/compare.sh                       # defaults: 3s per cell
#   bench/dicom/compare.sh -duration 10s -sizes 5000 -clients 8
#
# Needs Debian's dcmtk (wlmscpfs, dump2dcm); installs it when missing and
# allowed to.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in wlmscpfs dump2dcm; do
	if ! command -v "$tool" >/dev/null; then
		echo "compare.sh: $tool missing, installing dcmtk" >&2
		sudo=""
		[ "$(id -u)" = 0 ] || sudo="sudo -n"
		$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dcmtk >/dev/null
		break
	fi
done

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(wlmscpfs --version | head -1 | tr -d '$'), $(go version | cut -d' ' -f3)"
exec go run ./bench/dicom "$@"
