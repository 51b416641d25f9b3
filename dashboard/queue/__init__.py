"""The secretary's case queue (/queue): filter, place, reassign, verify, close, reopen, escalate, set deadlines."""
