"""The codes of the three CPI procedures and of the roles that fire their steps."""

CPTI = "cpti_open"
PCP = "pcp"
PARTNERSHIP = "innovation_partnership"
ALL = frozenset({CPTI, PCP, PARTNERSHIP})

OFFICER, LEGAL, COMMITTEE = "officer", "legal", "committee"
