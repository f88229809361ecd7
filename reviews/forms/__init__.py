"""The reviews pages' forms, one module an entity: workloads (and their sharing and filters), answers,
improvements, milestones and reports. Helpers every app's forms share live in mlwa.forms."""
