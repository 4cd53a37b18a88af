# lib/backends: rules live here.
include lib/backends/s3/local.mk
