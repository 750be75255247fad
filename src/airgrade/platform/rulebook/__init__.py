"""Rule book in the platform: public rule browser and API, and self-assessment grading for logged-in users."""
