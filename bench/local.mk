# bench: rules live here.
