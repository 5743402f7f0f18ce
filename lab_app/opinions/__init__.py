"""Opinions: votes and contributions, opinion groups by Pol.is's method, and tensions."""
