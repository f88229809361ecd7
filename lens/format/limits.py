"""The lens format's limits and known keys (LENS_FORMAT.md's table): the reader refuses or warns by
them, and the AWS export refuses what breaks AWS's."""

import re

MAX_CHARACTERS = 500_000
MAX_PILLARS, MAX_QUESTIONS, MAX_CHOICES, MAX_RULES = 10, 20, 15, 3
MAX_ADDITIONAL_ENTRIES, MAX_ADDITIONAL_CONTENT = 2, 5
NAME_AWS_MAX = 128
DESCRIPTION_MAX, DESCRIPTION_AWS_MAX = 2048, 1024
TITLE_AWS_MAX = 128
ID_AWS_MAX = 64  # for pillar and choice ids
ID_PATTERN = re.compile(r"[A-Za-z0-9_]{3,128}")
ADDITIONAL_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")

LENS_KEYS = ("schemaVersion", "name", "description", "pillars")
PILLAR_KEYS = ("id", "name", "description", "questions")
QUESTION_KEYS = ("id", "title", "description", "helpfulResource", "choices", "riskRules")
CHOICE_KEYS = ("id", "title", "helpfulResource", "improvementPlan", "additionalResources")
RULE_KEYS = ("condition", "risk")
RESOURCE_KEYS = ("displayText", "url")
ADDITIONAL_KEYS = ("type", "content")
