"""The error every layer raises for problems a user must fix (bad input, bad config, bad state).

The CLI prints these as one line and exits non-zero; anything else is a bug and shows a
traceback only with `--debug`.
"""


class LeadscoreError(Exception):
    """A problem explained to the user in one line (its `str`)."""
