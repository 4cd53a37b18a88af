# lib/backends: rules live here.
include lib/backends/ram/local.mk
include lib/backends/s3/local.mk
