"""reviews 0011 (issue 17): the stored `regions` split into AWS region codes and other names, on the
real schema, both ways."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0010_answer_change_lens_version")]
AFTER = [("reviews", "0011_workload_properties")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_known_region_codes_move_to_aws_regions_the_rest_to_non_aws_regions(retire_published_lens_versions):
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Workload = apps.get_model("reviews", "Workload")
        owner = User.objects.create(username="owner")
        mixed = Workload.objects.create(
            owner=owner, name="Mixed", regions=["eu-west-1", "Paris DC", "us-east-1", "EU-WEST-1"]
        )
        empty = Workload.objects.create(owner=owner, name="Empty", regions=[])

        apps = _migrate(AFTER)
        Workload = apps.get_model("reviews", "Workload")
        mixed_after = Workload.objects.get(pk=mixed.pk)
        assert mixed_after.aws_regions == ["eu-west-1", "us-east-1"]
        assert mixed_after.non_aws_regions == ["Paris DC", "EU-WEST-1"]
        assert (mixed_after.industry_type, mixed_after.account_ids, mixed_after.applications) == ("", [], [])
        assert Workload.objects.get(pk=empty.pk).non_aws_regions == []

        apps = _migrate(BEFORE)  # and back: one list again, AWS codes first
        Workload = apps.get_model("reviews", "Workload")
        joined = Workload.objects.get(pk=mixed.pk).regions
        assert joined == ["eu-west-1", "us-east-1", "Paris DC", "EU-WEST-1"]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
