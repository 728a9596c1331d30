#!/usr/bin/env python
"""Django's manage.py; `cairn` (cairn/cli.py) is the same thing with hyphenated names."""

from cairn.cli import main

if __name__ == "__main__":
    main()
