"""Pure scoring domain: configuration schema, rule engine, predictive model, lifecycle rules.

Nothing here performs I/O beyond reading a config or model file it is handed, and nothing
knows HubSpot's wire format.
"""
