"""The pure domain core: rules, grading, emergency measures, workflow. No Django, no I/O libraries."""
