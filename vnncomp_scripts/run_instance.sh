#!/bin/bash
# VNN-COMP run_instance.sh for relu-preimage: six arguments, the version string "v1", the
# benchmark category, the .onnx file, the .vnnlib file, the results file and the timeout in
# seconds. Gzipped inputs (.onnx.gz, .vnnlib.gz) are unpacked to a temporary directory first.
#
# The results file gets the answer on its first line (sat, unsat, timeout, unknown or error) and,
# for sat, the counterexample ((X_0 v) ... (Y_0 v) ...), written by `preimage verify --out`. The
# tool stops itself at the timeout (counted from its start); a hard limit of the timeout plus
# 10 s kills it if it does not, and the results file then says timeout.
# PREIMAGE_FROM_SOURCE=1 runs src/ through tsx instead of the built dist/ (for tests).

VERSION_STRING=v1
if [ "$1" != "$VERSION_STRING" ]; then
	echo "Expected first argument (version string) '$VERSION_STRING', got '$1'"
	exit 1
fi
if [ "$#" -ne 6 ]; then
	echo "Expected 6 arguments (version, category, onnx, vnnlib, results file, timeout), got $#"
	exit 1
fi

CATEGORY=$2
# absolute paths: the tool runs from its own directory
ONNX_FILE=$(realpath -m "$3")
VNNLIB_FILE=$(realpath -m "$4")
RESULTS_FILE=$(realpath -m "$5")
TIMEOUT=$6
TOOL_DIR=$(dirname "$(dirname "$(realpath "$0")")")

echo "Running relu-preimage on category '$CATEGORY' with onnx file '$ONNX_FILE', vnnlib file '$VNNLIB_FILE', results file '$RESULTS_FILE' and timeout $TIMEOUT"

rm -f "$RESULTS_FILE"
TMP_DIR=$(mktemp -d)
trap 'rm -rf "$TMP_DIR"' EXIT

# unpack gzipped inputs (keeping the name without .gz, which tells the format); an unreadable
# input is an error answer
unpack() {
	local src=$1 dst
	if [[ "$src" == *.gz ]]; then
		dst="$2/$(basename "${src%.gz}")"
		gunzip -c "$src" > "$dst" || return 1
		echo "$dst"
	else
		echo "$src"
	fi
}
mkdir -p "$TMP_DIR/model" "$TMP_DIR/spec"
if ! ONNX=$(unpack "$ONNX_FILE" "$TMP_DIR/model") || ! VNNLIB=$(unpack "$VNNLIB_FILE" "$TMP_DIR/spec"); then
	echo "error" > "$RESULTS_FILE"
	echo "could not unpack the inputs"
	exit 0
fi

if [ "$PREIMAGE_FROM_SOURCE" = "1" ] || [ ! -f "$TOOL_DIR/dist/cli/bin.js" ]; then
	CLI=(node --import tsx "$TOOL_DIR/src/cli/bin.ts")
else
	CLI=(node "$TOOL_DIR/dist/cli/bin.js")
fi
HARD_LIMIT=$(awk -v t="$TIMEOUT" 'BEGIN { printf "%.3f", t + 10 }')

cd "$TOOL_DIR"
timeout --kill-after=5 "$HARD_LIMIT" "${CLI[@]}" verify "$ONNX" "$VNNLIB" --timeout "$TIMEOUT" --out "$RESULTS_FILE" > /dev/null
STATUS=$?

if [ ! -s "$RESULTS_FILE" ]; then
	# killed at the hard limit (124, or 137 after SIGKILL), or crashed before writing an answer
	if [ $STATUS -eq 124 ] || [ $STATUS -eq 137 ]; then
		echo "timeout" > "$RESULTS_FILE"
	else
		echo "error" > "$RESULTS_FILE"
	fi
fi
echo "Result: $(head -n 1 "$RESULTS_FILE") (exit status $STATUS)"
exit 0
