"""The Django platform around the core: storage, services, API and pages."""
