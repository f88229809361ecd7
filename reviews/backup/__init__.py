"""Backup and restore of one workload as one JSON document (`workload_export`, `workload_restore`).

The document (schema_version 2)::

    {
      "format": "mlwa-workload-backup",
      "schema_version": 1,
      "document_id": "<uuid4, new for every export>",
      "exported_at": "<ISO 8601>", "exported_by": "<username>", "source": "<instance, or null>",
      "workload": {name, description, environment, review_owner, industry_type, industry,
                   aws_regions, non_aws_regions, account_ids, applications,
                   architectural_design_url, tags, notes, pillar_priorities, owner, created_at,
                   updated_at},
      "lens_versions": [{lens_alias, lens_name, label, kind, published_at, content_hash,
                         file: <the lens in the AWS custom-lens JSON format, as `lens export`>}],
      "lens_reviews": [{lens_alias, content_hash, notes, pillar_notes, applied_at,
                        answers: [ANSWER...]}],
      "audit_trail": [{lens_alias, question_id, kind, version, changed_by, changed_at, before,
                       after, note}],
      "events": [{kind, workload_name, actor, at, summary, data}],
      "milestones": [{number, name, workload_fields, created_by, created_at,
                      totals: {high, medium, none, not_applicable, unanswered},
                      lens_reviews: [{lens_alias, content_hash, notes, pillar_notes, applied_at,
                                      answers: [ANSWER...],
                                      pillar_counts: [{pillar_id, high, medium, none,
                                                       not_applicable, unanswered}]}]}],
      "improvement_items": [{lens_alias, question_id, status, owner, due_date, note, version,
                             updated_by, updated_at}],
      "shares": [{user, group, role, created_at}]
    }

    ANSWER = {question_id, selected_choices, not_applicable_choices, is_applicable, reason,
              notes, risk, version, updated_by, updated_at}

People are usernames (or null: a deleted user); times are ISO 8601 with a UTC offset. A lens
review, a frozen review and an audit entry name their lens by the alias it had where it was
exported, and their version by `content_hash`, which `lens_versions` resolves.

`schema_version` changes whenever a document of the new version could not be restored by code
written for the old one: a key added that matters, a key removed or renamed, a meaning changed.
Restore refuses a newer schema_version than it knows (NewerSchema) and reads every older one it
supports: 1, whose workload has one `regions` list (split as reviews.properties.split_regions
does) and none of AWS's other properties (restored empty), and 2.

Restoring (reviews.backup.restore) makes a new workload of the person restoring, with everything
in the document except: the owner (the person restoring), the shares (dropped, and listed in the
result), people (kept as names, never linked to this instance's users), the lens versions (those
the person may see with the same content hash are used, else the lens is imported as their own),
the name (a suffix " (restored)", " (restored 2)"... on a clash) and one more event, RESTORED.

A restore takes no risk or count on the document's word (issue 14): every answer's risk, live or
frozen, is evaluated from its choices with its lens version's rules, and every milestone's pillar
counts and totals are counted from its frozen answers (reviews.backup.recompute). A value of the
document that disagrees is restored as computed, with a warning naming its JSON path, the value
stored and the value restored. An export always agrees, so a warning means the file was edited.
Every answer, history entry, event and milestone a restore writes carries `restored_by` (the user
restoring) and `restored_at`: its people are the document's names, shown as "alice, restored from a
backup by eve"; an answer written again is no longer restored. Improvement items name a lens the
workload reviews (a document's item of another lens is refused; an export leaves out the items of a
lens removed since).
"""

from reviews.backup.document import FORMAT, SCHEMA_VERSION, AlreadyRestored, NewerSchema
from reviews.backup.export import backup_filename, workload_export
from reviews.backup.restore import RestoreResult, workload_restore

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "AlreadyRestored",
    "NewerSchema",
    "RestoreResult",
    "backup_filename",
    "workload_export",
    "workload_restore",
]
