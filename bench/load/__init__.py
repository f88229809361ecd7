"""The load test and the fault runs: gunicorn on PostgreSQL (and Redis for the rate limits), driven by
clients that save whole answers through the API with If-Match, and then a check that nothing the
server accepted was lost and nothing else was written.

- check.py: the pure part (the nothing-lost comparison, percentiles), tested in tests/test_load_check.py;
- servers.py: a private PostgreSQL cluster and Redis server, gunicorn and a Celery worker as children;
- prepare.py: the users, tokens and workloads (run in a process of its own, with Django);
- client.py: the asynchronous clients (one process, httpx) and their log of accepted saves;
- __main__.py: `python -m bench.load`, the load test (make bench runs it at full size, .ci/run small);
- faults.py: `python -m bench.load.faults` (make faults): PostgreSQL and Redis restarted under load.
"""
