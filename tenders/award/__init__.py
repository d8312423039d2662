"""From tender to award: lots, criteria, sealed bids, committee, evaluation, awards."""
