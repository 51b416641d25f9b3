"""A unit's single-case page (/unit/<token>): no account, the link's token is the credential (gridgov.case_links)."""
