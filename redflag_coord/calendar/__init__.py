"""Calendars: iCalendar invites and feeds (ics), mailing them as iMIP (imip), and the SEQUENCE
bookkeeping that keeps updates in order (sequence). Uses the agenda's plain-text renderer."""
