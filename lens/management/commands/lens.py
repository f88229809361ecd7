"""`manage.py lens import|export|lint|risk`: lens work for authors and automation.

    lens import FILE [--alias A] [--owner USERNAME] [--publish LABEL [--major]] [--json]
    lens export ALIAS [--version LABEL] [--aws] [-o FILE]
    lens lint FILE [--json]
    lens risk ALIAS_OR_FILE [--version LABEL]     (JSON lines in on stdin, JSON lines out)

Without --owner a lens belongs to the instance. `import` and `lint` exit 1 when the file is refused.
"""

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lens.format import LensRefused, Problem, lint_lens, read_lens, write_lens, write_lens_for_aws
from lens.models import Lens
from lens.risk import QuestionRules, UnknownChoiceError
from lens.selectors import version_by_label, version_document
from lens.services import LensActionRefused, lens_import, lens_publish
from mlwa import jsonlimits


def _problems(problems: Iterable[Problem]) -> list[dict]:
    return [problem.as_dict() for problem in problems]


class Command(BaseCommand):
    help = "Import, export, lint lenses, and evaluate their risk rules."
    stealth_options = ("stdin",)  # call_command(..., stdin=stream) in tests

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        importing = actions.add_parser("import", help="import a lens file as a lens's draft")
        importing.add_argument("file", type=Path)
        importing.add_argument("--alias", help="the lens to replace the draft of, or the alias of a new lens")
        importing.add_argument("--owner", metavar="USERNAME", help="the owner (default: the instance)")
        importing.add_argument("--publish", metavar="LABEL", help="publish the draft under this label")
        importing.add_argument("--major", action="store_true", help="publish as a major version")
        importing.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")

        exporting = actions.add_parser("export", help="write a lens version as a lens file")
        exporting.add_argument("alias")
        exporting.add_argument(
            "--version", metavar="LABEL", help="a published label or 'draft' (default: newest)"
        )
        exporting.add_argument("--aws", action="store_true", help="what the AWS tool accepts")
        exporting.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")

        linting = actions.add_parser("lint", help="check a lens file, storing nothing")
        linting.add_argument("file", type=Path)
        linting.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")

        risking = actions.add_parser("risk", help="evaluate answers read as JSON lines on stdin")
        risking.add_argument("lens", metavar="ALIAS_OR_FILE")
        risking.add_argument("--version", metavar="LABEL")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        return getattr(self, f"handle_{action}")(**options)

    # -- import ------------------------------------------------------------------------------------

    def handle_import(
        self,
        *,
        file: Path,
        alias: str | None,
        owner: str | None,
        publish: str | None,
        major: bool,
        as_json: bool,
        **options: Any,
    ) -> None:
        owner_user = self._user(owner) if owner else None
        report: dict[str, Any] = {
            "alias": None,
            "version": None,
            "counts": None,
            "warnings": [],
            "errors": [],
        }
        try:
            result = lens_import(source=self._read(file), owner=owner_user, alias=alias)
            version = (
                lens_publish(lens=result.lens, label=publish, major=major) if publish else result.version
            )
        except LensRefused as refused:
            report["errors"] = _problems(refused.problems)
        except LensActionRefused as refused:
            report["errors"] = [
                {"path": None, "field": refused.field, "code": refused.code, "message": refused.message}
            ]
        else:
            document = result.document
            report.update(
                alias=result.lens.alias,
                version=version.label or "draft",
                counts={
                    "pillars": len(document.pillars),
                    "questions": sum(len(pillar.questions) for pillar in document.pillars),
                    "choices": sum(len(question.choices) for _, question in document.questions()),
                    "risk_rules": sum(len(question.risk_rules) for _, question in document.questions()),
                },
                warnings=_problems(result.warnings),
            )
        self._report(report, as_json=as_json)

    # -- lint --------------------------------------------------------------------------------------

    def handle_lint(self, *, file: Path, as_json: bool, **options: Any) -> None:
        report: dict[str, Any] = {"warnings": [], "errors": []}
        try:
            document, warnings = read_lens(self._read(file))
        except LensRefused as refused:
            report["errors"] = _problems(refused.problems)
        else:
            report["warnings"] = _problems(warnings + lint_lens(document))
        self._report(report, as_json=as_json)

    # -- export ------------------------------------------------------------------------------------

    def handle_export(
        self, *, alias: str, version: str | None, aws: bool, output: Path | None, **options: Any
    ) -> None:
        lens = Lens.objects.filter(alias=alias).first()
        if lens is None:
            raise CommandError(f"no lens with the alias {alias!r}")
        lens_version = version_by_label(lens, version, include_draft=True)
        if lens_version is None:
            raise CommandError(
                f"{alias} has no version {version!r}" if version else f"{alias} has no version"
            )
        document = version_document(lens_version)
        try:
            value = write_lens_for_aws(document) if aws else write_lens(document)
        except LensRefused as refused:
            lines = "\n".join(f"  {problem}" for problem in refused.problems)
            raise CommandError(f"the AWS tool would refuse this lens:\n{lines}") from None
        text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    # -- risk --------------------------------------------------------------------------------------

    def handle_risk(self, *, lens: str, version: str | None, **options: Any) -> None:
        rules = self._rules(lens, version)
        for number, line in enumerate(options.get("stdin") or sys.stdin, start=1):
            if line.strip():
                self.stdout.write(json.dumps(self._risk_of_line(rules, line, number)))

    @staticmethod
    def _risk_of_line(rules: dict[str, QuestionRules], line: str, number: int) -> dict:
        try:
            answer = jsonlimits.loads(line)
        except jsonlimits.JSONTooDeep as error:
            return {"line": number, "error": f"nested deeper than {error.max_depth} at {error.path}"}
        except json.JSONDecodeError as error:
            return {"line": number, "error": f"not JSON: {error.msg}"}
        if not isinstance(answer, dict):
            return {"line": number, "error": "each line must be a JSON object"}
        question_id = answer.get("question")
        question = rules.get(question_id) if isinstance(question_id, str) else None
        if question is None:
            return {"line": number, "question": question_id, "error": "no such question in this lens"}
        selected = answer.get("selected", [])
        not_applicable = answer.get("not_applicable", [])
        if not all(
            isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for ids in (selected, not_applicable)
        ):
            return {
                "line": number,
                "question": question_id,
                "error": "'selected' and 'not_applicable' are lists of ids",
            }
        try:
            risk = question.evaluate(selected, not_applicable)
        except UnknownChoiceError as error:
            return {
                "line": number,
                "question": question_id,
                "error": f"{error} is not a choice of this question",
            }
        return {"question": question_id, "risk": str(risk)}

    def _rules(self, lens: str, version: str | None) -> dict[str, QuestionRules]:
        path = Path(lens)
        if path.is_file():
            try:
                document, _ = read_lens(path.read_bytes())
            except LensRefused as refused:
                raise CommandError(f"{path} is refused: {refused}") from None
            return document.question_rules()
        found = Lens.objects.filter(alias=lens).first()
        if found is None:
            raise CommandError(f"{lens!r} is neither a file nor a lens alias")
        lens_version = version_by_label(found, version, include_draft=True)
        if lens_version is None:
            raise CommandError(f"{lens} has no version {version or ''}".strip())
        return version_document(lens_version).question_rules()

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _read(file: Path) -> bytes:
        try:
            return file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None

    @staticmethod
    def _user(username: str) -> User:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _report(self, report: dict, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            if report.get("alias"):
                counts = report["counts"]
                self.stdout.write(
                    f"Imported {report['alias']} ({report['version']}): {counts['pillars']} pillars, "
                    f"{counts['questions']} questions, {counts['choices']} choices."
                )
            for problem in report["warnings"]:
                self.stdout.write(f"warning: {problem['path']}: {problem['message']}")
            for problem in report["errors"]:
                where = problem.get("path") or problem.get("field")
                self.stderr.write(f"error: {where}: {problem['message']}")
        if report["errors"]:
            raise CommandError(
                "the lens was refused" if as_json else f"{len(report['errors'])} problem(s)", returncode=1
            )
