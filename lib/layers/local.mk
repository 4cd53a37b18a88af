# lib/layers: rules live here.
