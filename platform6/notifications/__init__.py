"""In-app notifications (and later email), and the scheduler that runs due work."""
