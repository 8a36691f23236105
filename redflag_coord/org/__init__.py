"""The organisation's data: the models of every file kind, loading and parsing, problems with their
positions, validation across files, canonical formatting, and the facts computed from the data
(a meeting's occurrences). Everything above asks this layer; it imports no capability."""
