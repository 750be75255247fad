"""The home page: the role's work queue, fed by every app through the `work_items` hook, and its figures."""
