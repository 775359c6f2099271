"""The reservation pages: the booking form, my bookings, the booking page."""
