"""Fill the database with published articles, for the growth benchmark.

    DATABASE_URL=… FIELD_ENCRYPTION_KEYS=… DJANGO_SECRET_KEY=… \\
        .venv/bin/python bench/make_articles.py --total 10000

Adds generated articles (slugs `bench-article-NNNNN`) until `--total`
published articles exist, with the ORM's bulk_create: rendered HTML, reading
time, one or two of the existing topics each and an existing author, and
publish dates spread over the last five years. It needs the demo content
(authors and topics) to be loaded first. Text is made from a small set of
sentences written for this script, so that search has real words to find.
"""

import argparse
import math
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.markdown import render_markdown  # noqa: E402
from articles.models import Article, Author, Topic  # noqa: E402
from practice.page_cache import content_version_bump  # noqa: E402

SUBJECTS = [
    "the same argument",
    "a quiet evening",
    "the first session",
    "a partner who hesitates",
    "repair after a fight",
    "feeling unheard",
    "the pursue and withdraw cycle",
    "a couples intensive",
    "starting therapy alone",
    "trust after a rupture",
    "money worries",
    "a new baby",
    "long working hours",
    "holidays with family",
    "asking for reassurance",
]
SENTENCES = [
    "Many couples notice that the argument is rarely about the dishes themselves.",
    "When one partner reaches out and the other steps back, both can end up feeling alone.",
    "A hesitant partner is often afraid of being blamed rather than indifferent to help.",
    "Emotionally Focused Therapy looks at the cycle a couple is caught in, not at a culprit.",
    "It is common for one person to begin with individual sessions while the other decides.",
    "Naming the pattern out loud can soften the next conversation a little.",
    "Repair does not need the perfect words; it needs a sincere attempt to reconnect.",
    "Exhaustion can look like distance, and distance can feel like rejection.",
    "Therapy is structured, and most couples meet for somewhere between eight and twenty sessions.",  # noqa: E501
    "A partner who says no for now has not necessarily said no forever.",
    "Small moments of turning toward each other add up over weeks and months.",
    "Feeling safe enough to speak honestly is where change usually begins.",
    "Some readers find it easier to share an article than to start the conversation cold.",
    "Your partner can join later, in their own time, with their own private questions.",
    "It helps to describe what you feel rather than what the other person did wrong.",
    "Old hurts tend to return when the present moment feels uncertain.",
]


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, k=rng.randint(3, 6)))


def body(rng: random.Random) -> str:
    sections = []
    for number in range(rng.randint(3, 6)):
        paragraphs = "\n\n".join(paragraph(rng) for _ in range(rng.randint(2, 4)))
        sections.append(f"## Part {number + 1}: {rng.choice(SUBJECTS)}\n\n{paragraphs}")
    return "\n\n".join(sections)


def main() -> None:
    parser = argparse.ArgumentParser(description="Add published articles up to --total.")
    parser.add_argument("--total", type=int, required=True)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    now = timezone.now()
    published = Article.objects.published().count()
    missing = args.total - published
    if missing <= 0:
        sys.stdout.write(f"{published} published articles already; nothing to add.\n")
        return
    authors = list(Author.objects.all())
    topics = list(Topic.objects.all())
    if not authors or not topics:
        raise SystemExit("No authors or topics: run load_demo_content first.")

    rng = random.Random(args.seed)
    # Rendering Markdown is the slow part; a few hundred distinct bodies suffice.
    bodies = []
    for _ in range(min(300, missing)):
        text = body(rng)
        bodies.append((text, render_markdown(text), max(1, math.ceil(len(text.split()) / 220))))
    start = Article.objects.filter(slug__startswith="bench-article-").count()
    Through = Article.topics.through
    batch = 1000
    with transaction.atomic():
        for offset in range(0, missing, batch):
            articles = []
            for number in range(start + offset, start + min(offset + batch, missing)):
                text, html, minutes = rng.choice(bodies)
                subject = rng.choice(SUBJECTS)
                articles.append(
                    Article(
                        title=f"Notes on {subject} ({number + 1})",
                        slug=f"bench-article-{number + 1:05d}",
                        summary=f"A short reflection on {subject}, for couples and for "
                        "partners who are not sure yet.",
                        body=text,
                        body_html=html,
                        reading_minutes=minutes,
                        author=rng.choice(authors),
                        status=Article.Status.PUBLISHED,
                        publish_at=now - timedelta(minutes=rng.randint(60, 5 * 365 * 24 * 60)),
                        cta_journey="couples",
                    )
                )
            created = Article.objects.bulk_create(articles)
            links = []
            for article in created:
                for topic in rng.sample(topics, k=rng.randint(1, 2)):
                    links.append(Through(article_id=article.pk, topic_id=topic.pk))
            Through.objects.bulk_create(links)
        content_version_bump()
    total = Article.objects.published().count()
    sys.stdout.write(f"Added {missing} articles: {total} published articles now.\n")


if __name__ == "__main__":
    main()
