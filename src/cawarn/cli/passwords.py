"""Reading a new password for the command line: prompted twice, or one line from stdin."""

from __future__ import annotations

import sys

import typer

from cawarn.domain import InputError


def read_new_password(from_stdin: bool) -> str:
    """A password that meets the policy, never taken from the command line itself."""
    from cawarn.accounts.passwords import check_password_policy

    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InputError(
                "--password-stdin read nothing; pipe the password in, e.g. "
                "'printf %s \"$PW\" | cawarn user create-admin ... --password-stdin'."
            )
    else:
        if not sys.stdin.isatty():
            raise InputError(
                "There is no terminal to ask for the password; pass --password-stdin and pipe "
                "the password in."
            )
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password_policy(password)
    return password
