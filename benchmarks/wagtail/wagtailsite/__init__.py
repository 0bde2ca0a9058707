"""A minimal Wagtail 8.0.1 site, the baseline `make bench` measures our article page against.

It is Wagtail as `wagtail start` makes it (its apps, middleware and production settings, the
database search backend), plus one page model and a template of about our article page's
size. It runs in its own virtualenv (.data/bench/wagtail-venv, benchmarks/wagtail/
requirements.txt); medinfo never imports it and never depends on Wagtail. medinfo/bench_wagtail.py
builds, fills and serves it.
"""
