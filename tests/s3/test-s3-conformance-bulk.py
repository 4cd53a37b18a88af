#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery's bulk checks (tests/s3/conformance-bulk.skip) on
an S3 mount: see test-s3-conformance.py.  Normal build only."""
import os
import sys

os.environ["S3_CONFORMANCE_PART"] = "bulk"
here = os.path.dirname(os.path.abspath(__file__))
sys.argv[0] = os.path.join(here, "test-s3-conformance.py")
exec(compile(open(sys.argv[0]).read(), sys.argv[0], "exec"))
