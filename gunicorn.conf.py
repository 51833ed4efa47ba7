"""gunicorn settings for production; `gunicorn wsgi:app` run from the repository root reads this file.

gunicorn is never exposed directly: the reverse proxy that production requires (nginx, see README)
terminates TLS and buffers each request and response whole, so a slow client costs nginx a socket,
not a gunicorn worker. Hence the loopback address.
"""
import os

#: Loopback only: nginx on the same host forwards to it. Change it only to put another proxy in front.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Worker processes (gunicorn also reads WEB_CONCURRENCY); about two per core.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Threaded workers: a client that is slow to send its request holds one thread, while the worker's main
# loop keeps telling the master it is alive. With sync workers, four slow clients held all four
# workers, /healthz went unanswered, and the master killed every worker at the timeout.
worker_class = "gthread"
threads = 8
#: Stop accepting when every thread is busy, so that a worker tied up by slow clients leaves new
#: connections to the others instead of queueing them behind its blocked threads.
worker_connections = threads
timeout = 30
graceful_timeout = 30
keepalive = 5
#: Trust X-Forwarded-* only from the local proxy.
forwarded_allow_ips = "127.0.0.1"
