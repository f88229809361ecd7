"""Reports in the background (DESIGN.md, "Reports in the background"): requests (services,
selectors), the Celery task that renders them (tasks), and the renderers (rendering)."""
