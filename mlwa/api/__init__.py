"""What every endpoint of the REST API shares: errors, authentication rules, rate limits, pages,
the OpenAPI schema, and the base views that put them together. The endpoints live in each app's
`api` package (lens.api, reviews.api, accounts.api); `mlwa.api.urls` mounts them under /api/v1/."""
