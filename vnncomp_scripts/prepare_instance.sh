#!/bin/bash
# VNN-COMP prepare_instance.sh for relu-preimage: four arguments, the version string "v1", the
# benchmark category, the .onnx file and the .vnnlib file. Nothing needs preparing (the network
# and the property are read by run_instance.sh), so this only checks the version string.

VERSION_STRING=v1
if [ "$1" != "$VERSION_STRING" ]; then
	echo "Expected first argument (version string) '$VERSION_STRING', got '$1'"
	exit 1
fi
echo "Preparing relu-preimage for category '$2', onnx file '$3', vnnlib file '$4': nothing to do"
exit 0
