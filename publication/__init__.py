"""What the public reads: OCDS open data, the portal, indicators and the Atom feed."""
