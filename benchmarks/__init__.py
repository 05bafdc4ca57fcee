"""The synthetic national dataset (``manage.py generate_dataset``) and the benchmark that
measures the system against it (``manage.py benchmark``). See docs/performance.md."""
