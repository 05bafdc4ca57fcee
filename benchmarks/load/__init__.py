"""The load benchmark: the mixed workload driven through a real gunicorn server by a load tool
running in its own process (manage.py benchmark_load)."""
