"""What other apps may hear of a user's account."""

from django.dispatch import Signal

# A user's password was changed (admin, `changepassword`, a reset), in the transaction
# that saves it: `user`. Credentials a session could have made hang on it (the calendar
# feed token, timeline.apps), so a stolen session leaves nothing behind.
password_changed = Signal()
