"""Tests of the dashboard and portal-history insights."""
