"""Tests of the insights layer."""
