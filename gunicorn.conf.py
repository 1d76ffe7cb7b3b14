"""gunicorn settings for one Platform 6 app process: `gunicorn -c gunicorn.conf.py app:app`.

Flask-SocketIO needs exactly one worker per gunicorn process (gunicorn's own balancing has no
sticky sessions, which Socket.IO's long-polling needs). Scale out by starting more gunicorn
processes on other ports or machines behind a load balancer with sticky sessions, all with the
same SOCKETIO_MESSAGE_QUEUE=redis://..., and run scheduled work in one `flask --app app worker`.

The worker is gunicorn's threaded worker with simple-websocket (Flask-SocketIO's "threading"
async mode, the one its deployment docs give for gunicorn without eventlet or gevent): each open
WebSocket holds one thread, so THREADS bounds the clients one process serves at once.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = 1  # never more: see above
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "100"))
# WebSockets and long-polling requests stay open; a worker is only restarted when silent for this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# The client's address and scheme behind a proxy: set TRUSTED_PROXIES (the app applies ProxyFix).
proc_name = "platform6"
