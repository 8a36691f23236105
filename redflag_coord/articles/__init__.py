"""`articles status`: the per-language edition table (build: the data; render: text, Markdown, HTML, JSON)."""
