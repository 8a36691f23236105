"""Relationships over time: whom each collective knows and how that changes from report to report
(build), rendered as text, Markdown, HTML and JSON (render)."""
