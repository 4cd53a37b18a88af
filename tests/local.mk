# tests: rules live here.
