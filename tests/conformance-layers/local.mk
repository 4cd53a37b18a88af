# The conformance battery (tests/conformance) against backends under
# layers: passthrough over tmpfs, and RAM under monitor + stats.  Each skips
# until the battery, the vfsd command and the backend are built.
TESTS += tests/conformance-layers/passthrough.py \
	tests/conformance-layers/monitor-stats.py
EXTRA_DIST += tests/conformance-layers/stacks.py \
	tests/conformance-layers/passthrough.py \
	tests/conformance-layers/passthrough.skip \
	tests/conformance-layers/monitor-stats.py
