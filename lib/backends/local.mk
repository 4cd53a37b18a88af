# lib/backends: rules live here.
include lib/backends/ram/local.mk
