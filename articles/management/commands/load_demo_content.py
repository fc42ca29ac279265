from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.services import DemoContentError, demo_content_load

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "demo_content"


class Command(BaseCommand):
    help = "Create or update the demo topics, clinicians and articles (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="folder",
            type=Path,
            default=DEFAULT_FOLDER,
            help="Folder with people.toml and NN-slug.md files (default: articles/demo_content).",
        )

    def handle(self, *args, folder, **options):
        if not (folder / "people.toml").is_file():
            raise CommandError(f"No people.toml in {folder}.")
        try:
            result = demo_content_load(folder=folder)
        except DemoContentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {result.articles} articles, {result.authors} clinicians, "
                f"{result.topics} topics, {result.pages} pages "
                f"({result.changed} created or updated)."
            )
        )
