#!/bin/bash
# VNN-COMP install_tool.sh for relu-preimage: one argument, the version string "v1".
# Installs the npm dependencies (npm ci, from package-lock.json) and builds dist/ (tsc).
# Needs Node.js >= 20 and npm on the PATH.

VERSION_STRING=v1
if [ "$1" != "$VERSION_STRING" ]; then
	echo "Expected first argument (version string) '$VERSION_STRING', got '$1'"
	exit 1
fi
set -e
TOOL_DIR=$(dirname "$(dirname "$(realpath "$0")")")
cd "$TOOL_DIR"
echo "Installing relu-preimage in $TOOL_DIR"
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
	echo "node (>= 20) and npm are required on the PATH"
	exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
	echo "Node.js >= 20 is required, found $(node --version)"
	exit 1
fi
# dev dependencies are needed for the build (typescript)
npm ci --include=dev --no-audit --no-fund
npm run build
node dist/cli/bin.js --version
echo "relu-preimage installed"
