"""gunicorn settings for zoneops in production (installed as /etc/zoneops/gunicorn.conf.py).

    gunicorn --config /etc/zoneops/gunicorn.conf.py

The app listens on loopback only: nginx in front of it terminates TLS and is the only client.
zoneops believes the X-Real-IP header (the client's address for the audit trail, the login
lockout and rate limits) only from ZONEOPS_TRUSTED_PROXIES (loopback: this nginx); from any
other address it is ignored.
Each value below can be overridden by the environment variable named beside it.
"""

import multiprocessing
import os

wsgi_app = "zoneops.wsgi:application"

# Where nginx's upstream points. A unix socket works too: "unix:/run/zoneops/gunicorn.sock".
bind = [os.environ.get("ZONEOPS_BIND", "127.0.0.1:8000")]

# Synchronous workers, the usual 2 × cores + 1: each request holds one worker, the database does
# the waiting. Reports (.docx/.xlsx) and imports are the slow requests; hence the long timeout.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count() + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that no slow leak (a big export, a big import) builds up.
max_requests = 2000
max_requests_jitter = 200

# Load the application once in the master: a broken setting stops the start with an error,
# instead of workers dying one by one. Django opens no database connection at import.
# zoneops/wsgi.py imports the URLconf (every view and API module) there too, so each worker
# forked, at the start or after max_requests, answers its first request without a second of
# imports.
preload_app = True

# Heartbeat files in memory, not on a disk that may stall (systemd gives /dev/shm).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr: systemd's journal keeps them (journalctl -u zoneops-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address as nginx saw it (X-Real-IP), then the usual fields and the time taken (µs).
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# nginx on this host is the only proxy whose forwarding headers gunicorn trusts.
forwarded_allow_ips = "127.0.0.1,::1"

proc_name = "zoneops"
