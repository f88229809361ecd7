"""Reads of workloads and reviews, always scoped to what the reader may see
(`Workload.objects.visible_to`, reviews.selectors.visibility)."""

from reviews.selectors.visibility import role_of, workload_for

__all__ = ["role_of", "workload_for"]
