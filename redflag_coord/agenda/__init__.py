"""A meeting's agenda: built from the data as plain values (build), laid out (view), and rendered
as text and Markdown (text), HTML (html) and JSON (as_json)."""
