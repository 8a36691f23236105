"""The organisation's data and the facts derived from it: the models of every file kind, loading, parsing,
problems with their positions, occurrences, report and commitment state, private values. It reads and
answers; it never reports problems across files (check) and never writes (edit); it imports no capability."""
