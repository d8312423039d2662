"""Writes of the award area: bids, committee, evaluation, awards."""
