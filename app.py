"""Entry point: `python app.py` serves pages, API and Socket.IO; `flask --app app ...` runs the CLI."""

import os

from platform6 import create_app
from platform6.extensions import socketio

app = create_app()

if __name__ == "__main__":
    if os.environ.get("RUN_SCHEDULER", "1") == "1":
        from platform6.notifications.scheduler import start_background_scheduler

        start_background_scheduler(app)
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
    )
