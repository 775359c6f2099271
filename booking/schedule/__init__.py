"""Public calendars (day grid, week and month views) and the "find a free room" search."""
