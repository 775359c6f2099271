"""The manager's desk: the queue of requests to decide, and blocking a period."""
