"""manage.py of the Wagtail baseline; run by the Wagtail virtualenv's Python only."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtailsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
