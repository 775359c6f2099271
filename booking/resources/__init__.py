"""Sites, bookable resources, equipment, opening hours, closures, managers and trainings."""
