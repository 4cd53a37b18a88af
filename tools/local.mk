# tools: rules live here.
