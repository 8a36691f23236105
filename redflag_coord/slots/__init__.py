"""Meeting times: candidate slots ranked across every participant's zone and availability (find),
rendered as text, Markdown and JSON (render)."""
