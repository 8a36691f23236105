"""Time: IANA zones only (gaps and overlaps told apart), and VTIMEZONE derivation for calendars.
Pure time arithmetic on plain values; imports nothing else of redflag_coord."""
