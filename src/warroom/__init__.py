"""Warroom: run production incidents in Slack."""
