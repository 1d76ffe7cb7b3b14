"""People: sign-up, sign-in, profiles' basics, API tokens."""
