"""`leadscore sandbox`: run the local HubSpot (placeholder until the sandbox module lands)."""
