"""A held meeting's record: minutes (build, render, scaffold) and the commitments list (text, JSON,
Markdown, iCalendar VTODO). The commitments' state itself is computed in `org.commitments`."""
