"""Django permissions that more than one app reads, named once.

The account page (accounts) says whether its user sees every workload; the reviews selectors grant it.
"""

#: "See every workload, read only" (the auditor's role), declared on reviews.Workload's Meta.
VIEW_ALL_PERMISSION = "reviews.view_all_workloads"
