"""A local HubSpot: the CRM, OAuth and webhook subset the connector uses, with HubSpot's
shapes, limits and failure modes. It imports nothing from the rest of `connector`."""
