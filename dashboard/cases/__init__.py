"""The grid leader's cases on the phone (/cases): the list most urgent first, a case's history and actions, raising one."""
