"""The shared web part: the app's context, sign-in, sessions, the page frame, translations, errors, and how a request reaches the data."""
