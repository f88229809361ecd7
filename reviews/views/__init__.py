"""The reviews' pages, one module per area: dashboard, workloads, people, questionnaire."""
