"""Calendars: iCalendar invites and feeds (ics), mailing them as iMIP (imip), the SEQUENCE bookkeeping
that keeps updates in order (sequence), and a CalDAV calendar kept in step (caldav). Uses the agenda's
plain-text renderer."""
