"""Workloads, answers, milestones, improvement plans and reports: built on the lens app."""
