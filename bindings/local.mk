# bindings: rules live here.
