"""The command line: the typer app and one module per command. The only code that knows typer,
exit codes and stdout; each command parses options, calls the library and hands the result to a renderer."""
