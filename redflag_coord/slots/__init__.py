"""Meeting times: candidate slots ranked across every participant's zone and availability (find), where to
look for a meeting (window), rendered as text, Markdown and JSON (render), and the chosen start written (apply)."""
