"""Reports filed by collectives: new reports from a template, their status, and reminders
(filing), with the templates in each language."""
