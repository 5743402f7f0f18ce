"""People: accounts, signed-in browsers, and withdrawal (which asks every package to forget)."""
