"""The ``lpmech`` command: solve, check, verify and sweep from the shell.

:mod:`~lpmech.cli.commands` parses and runs the commands; :mod:`~lpmech.cli.errors`
turns every user error into one line on stderr and an exit status.

May import everything.
"""
