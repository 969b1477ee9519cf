"""Field reports: filed by reporters, graded and approved into the event store by verifiers."""
