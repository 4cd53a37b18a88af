# lib/backends: rules live here.
