"""The reviews' REST API: workloads with their shares and events (workloads.py), lens reviews and
answers (lens_reviews.py, answers.py), and risk summaries (summaries.py). Each view finds what it
works on through the same selectors and access helpers as the pages (404 for outsiders, 403 for a
role that may see but not act) and writes through the same services."""
