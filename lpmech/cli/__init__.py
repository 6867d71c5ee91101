"""Stage 17, cli: the ``lpmech`` command, to solve, check, verify and sweep from the shell.

:mod:`~lpmech.cli.commands` parses and runs the commands, :mod:`~lpmech.cli.sweep`
the ``lpmech sweep`` command; :mod:`~lpmech.cli.errors` turns every user error into
one line on stderr and an exit status.

May import every earlier stage.
"""
