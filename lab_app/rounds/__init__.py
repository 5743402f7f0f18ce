"""Q Exchange rounds: proposals, comments, a shortlist, ballots at an event, winners as ideas."""
