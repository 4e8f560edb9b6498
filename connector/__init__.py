"""Lead scoring for HubSpot: a sync worker, a scoring engine and a local HubSpot sandbox."""

__version__ = "0.1.0"
