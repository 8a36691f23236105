"""Every error redflag-coord reports to its user: one base type, below every other package.
The command line has one handler for it (exit 1 for the data, 2 for the usage); anything else is a bug (70)."""

from __future__ import annotations


class RedflagError(Exception):
    """A problem the user can fix, told in one message that names the file and what to do.

    `usage` decides the exit code: true when the command was called wrongly (exit 2), false when the
    data is at fault (exit 1). Subclasses set their default; a raise may override it.
    """

    usage: bool = False

    def __init__(self, message: str, *, usage: bool | None = None) -> None:
        super().__init__(message)
        if usage is not None:
            self.usage = usage

    @property
    def exit_code(self) -> int:
        return 2 if self.usage else 1


class UsageError(RedflagError):
    """The command was called wrongly: a missing or conflicting option, a file that is not there."""

    usage = True


class DataWarning(UserWarning):
    """Something a command consulted was unusable and was ignored (e.g. a git date out of range): raised
    with `warnings.warn` where it is found, shown once per message by the command line after the command."""
