"""Plotly figures for the pages, built by small pure functions from data (testable alone)."""
