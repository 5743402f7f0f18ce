"""Themes: build and cluster, label, curate, view, over time and on the map."""
