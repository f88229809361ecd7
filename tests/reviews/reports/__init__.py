"""Reports: requests, the rendering task, the reaper (issue 6)."""
