"""The scheduler: a short tick that claims due jobs and hands them to services."""
