from django.apps import AppConfig
from django.core.signals import request_finished


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles.reads import reads_flush_when_due

        # After each response has gone out, the read counts are written if it
        # is time (articles/reads.py): never while a reader waits.
        request_finished.connect(reads_flush_when_due, dispatch_uid="articles-reads-flush")
