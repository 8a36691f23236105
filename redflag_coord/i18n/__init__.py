"""Labels in the reader's language (one catalog per language in locales/) and dates, times and
numbers written by Babel. Imports nothing else of redflag_coord but its errors.
`labels.matches`/`choose` is the one rule for which language a collective or meeting gets."""
