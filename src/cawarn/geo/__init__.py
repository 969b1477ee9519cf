"""Geography: boundaries, admin-1 assignment, PRIO-GRID and the admin-1 name table."""
