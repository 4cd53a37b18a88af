# doc: rules live here.
