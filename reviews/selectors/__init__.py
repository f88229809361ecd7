"""Reads of workloads and reviews, always scoped to what the reader may see."""

from reviews.selectors.visibility import role_of, with_role, workload_for, workloads_for

__all__ = ["role_of", "with_role", "workload_for", "workloads_for"]
