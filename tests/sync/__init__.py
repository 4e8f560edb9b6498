"""Tests of the sync layer."""
