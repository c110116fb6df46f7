"""The `campaigndesk` console script: Django's management commands under one name.

`campaigndesk regions load --under 5323` runs the `regions` command; `campaigndesk --help`
lists every command, the project's own first.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigndesk.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "campaigndesk"
    if len(args) == 1 or args[1] in {"-h", "--help"}:
        _print_help()
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def _print_help() -> None:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()
    ours = sorted(name for name, app in commands.items() if app.startswith("campaigndesk"))
    others = sorted(name for name, app in commands.items() if not app.startswith("campaigndesk"))
    print("usage: campaigndesk <command> [options]   (campaigndesk <command> --help)\n")
    print("Campaign Desk commands:")
    for name in ours:
        help_text = load_command_class(commands[name], name).help.strip().splitlines()
        print(f"  {name:<22} {help_text[0] if help_text else ''}")
    print("\nDjango commands:")
    for index in range(0, len(others), 6):
        print("  " + "  ".join(others[index : index + 6]))


if __name__ == "__main__":
    main()
