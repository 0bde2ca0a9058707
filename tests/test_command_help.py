"""Every option of every medinfo command explains itself in --help (cron users read it)."""

import argparse

import pytest
from django.core.management import get_commands, load_command_class

OURS = {"medinfo", "drugs", "articles", "interchange"}
COMMANDS = sorted((name, app) for name, app in get_commands().items() if app in OURS)


def test_the_project_has_commands_to_check():
    assert {"review_report", "generate_content", "bench_import", "bench_search"} <= {
        name for name, _ in COMMANDS
    }


@pytest.mark.parametrize(("name", "app"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_option_and_argument_has_help_text(name, app):
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)
    base = load_command_class("django.core", "check").create_parser("manage.py", "check")
    inherited = {dest for action in base._actions for dest in [action.dest]}
    ours = [
        action
        for action in parser._actions
        if action.dest not in inherited and not isinstance(action, argparse._HelpAction)
    ]

    assert command.help, f"{name} has no help"
    assert [a.dest for a in ours if not a.help] == [], f"{name}: options without help"
