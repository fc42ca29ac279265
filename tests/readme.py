"""Commands exactly as the README prints them, for tests that follow its steps."""

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_command(command: str) -> tuple[dict[str, str], list[str]]:
    """The first README line that runs `manage.py <command>`: the environment it
    sets before the program, and the command's own arguments."""
    for line in README.read_text().splitlines():
        words = shlex.split(line.split("#", 1)[0]) if "manage.py " + command in line else []
        if words:
            break
    else:
        raise AssertionError(f"the README shows no `manage.py {command}` line")
    env = {}
    while re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    program = words.index("manage.py")
    assert words[program + 1] == command
    return env, words[program + 2 :]
