"""Several Labs on one deployment: the registry, each person's role per Lab, cross-Lab search."""
