"""`cairn`: the one command-line entry point.

`cairn demo-data --seed 1` runs the management command `demo_data`; every Django
management command is reachable the same way (`cairn migrate`, `cairn runserver`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["cairn", *args])


if __name__ == "__main__":
    main()
