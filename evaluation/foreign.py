"""(d) Foreign pages: dates in the page's own offset and authors from markup (issue 14, item 5).

Pages built here, in English, German and French, each fixed by its index: the publication time
in `<time datetime>`, JSON-LD `datePublished` or `article:published_time`, in offsets other
than +07:00 (a naive `<time>` too); the author in a `rel=author` link, JSON-LD `author`,
`<meta name="author">` or a byline element ("By …", "Von …", "Par …"), one or two authors.

Scored per field beside trafilatura: published to the minute as an instant, `offset` (the
page's own offset kept: 23:32+03:00 stays +03:00, a naive time is not given +07:00), authors
(exact list), title (exact), body F1.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html import escape

from evaluation.extractors import EXTRACTORS, Extracted, supports
from evaluation.metrics import body_scores

OFFSETS = (3, -5, 1, 2, -4, 0, 5.5, 9, -3, 10)
LANGS = {
    "en": {"by": "By", "and": "and", "names": ("Jane Doe", "John Smith", "Emily Clarke", "David Owen", "Sarah Lee"),
           "titles": ("City council approves new budget for public transport", "Heavy rain floods the old harbour district",
                      "University opens research centre for renewable energy", "Local library celebrates its hundredth year"),
           "sentences": ("The decision was taken after a long debate on Tuesday evening.",
                         "Officials said the work would begin early next year and last about eighteen months.",
                         "Residents welcomed the plan but asked for more information about the costs.",
                         "The mayor told reporters that the project had the support of every party.",
                         "Several streets near the river were closed to traffic for most of the day.",
                         "Experts warned that similar events could become more frequent in the coming decades.",
                         "The centre will employ around forty researchers when it is fully staffed.",
                         "Visitors can see an exhibition of old photographs until the end of the month."),
           "related": "Related articles", "share": "Share this article"},
    "de": {"by": "Von", "and": "und", "names": ("Anna Müller", "Max Mustermann", "Erika Schulz", "Jörg Weber", "Lena Fischer"),
           "titles": ("Stadtrat beschließt neuen Haushalt für den Nahverkehr", "Starkregen überflutet die Altstadt am Hafen",
                      "Universität eröffnet Forschungszentrum für erneuerbare Energien", "Stadtbibliothek feiert ihr hundertjähriges Bestehen"),
           "sentences": ("Die Entscheidung fiel nach einer langen Debatte am Dienstagabend.",
                         "Nach Angaben der Verwaltung sollen die Arbeiten Anfang nächsten Jahres beginnen.",
                         "Die Anwohner begrüßten den Plan, forderten aber mehr Informationen über die Kosten.",
                         "Der Bürgermeister sagte, das Vorhaben werde von allen Fraktionen unterstützt.",
                         "Mehrere Straßen am Fluss waren den größten Teil des Tages gesperrt.",
                         "Fachleute warnten, dass solche Ereignisse in Zukunft häufiger auftreten könnten.",
                         "Im Zentrum sollen nach dem Ausbau rund vierzig Forscherinnen und Forscher arbeiten.",
                         "Eine Ausstellung alter Fotografien ist noch bis Ende des Monats zu sehen."),
           "related": "Weitere Artikel", "share": "Artikel teilen"},
    "fr": {"by": "Par", "and": "et", "names": ("Jean Dupont", "Marie Lefèvre", "Luc Moreau", "Claire Fontaine", "Hélène Garnier"),
           "titles": ("Le conseil municipal adopte un nouveau budget pour les transports", "De fortes pluies inondent le vieux port",
                      "L'université ouvre un centre de recherche sur les énergies renouvelables", "La bibliothèque municipale fête ses cent ans"),
           "sentences": ("La décision a été prise mardi soir après un long débat.",
                         "Selon la mairie, les travaux commenceront au début de l'année prochaine.",
                         "Les habitants ont salué le projet mais demandent plus d'informations sur son coût.",
                         "Le maire a déclaré que le projet avait le soutien de tous les groupes.",
                         "Plusieurs rues près du fleuve ont été fermées à la circulation pendant la journée.",
                         "Les experts préviennent que de tels épisodes pourraient devenir plus fréquents.",
                         "Le centre emploiera une quarantaine de chercheurs une fois achevé.",
                         "Une exposition de photographies anciennes est visible jusqu'à la fin du mois."),
           "related": "Articles liés", "share": "Partager l'article"},
}
DATE_SOURCES = ("time", "jsonld", "meta", "time_naive")
AUTHOR_SOURCES = ("rel_author", "jsonld", "meta", "byline")


@dataclass(frozen=True)
class ForeignPage:
    url: str
    html: str
    lang: str
    title: str
    text: str
    published: datetime          # aware in the page's own offset, or naive (time_naive)
    authors: list[str] = field(default_factory=list)
    date_source: str = ""
    author_source: str = ""


def foreign_page(i: int) -> ForeignPage:
    rng = random.Random(f"foreign:{i}")
    lang = ("en", "de", "fr")[i % 3]
    v = LANGS[lang]
    date_source, author_source = DATE_SOURCES[i % 4], AUTHOR_SOURCES[(i // 4) % 4]
    hours = OFFSETS[i % len(OFFSETS)]
    tz = timezone(timedelta(hours=hours))
    published = datetime(2022, 1, 1, tzinfo=tz) + timedelta(days=rng.randrange(900), hours=rng.randrange(24),
                                                          minutes=rng.randrange(60))
    if i % 5 == 0:  # late in the evening: the next day at +07:00
        published = published.replace(hour=23, minute=32)
    if date_source == "time_naive":
        published = published.replace(tzinfo=None)
    authors = rng.sample(v["names"], 2 if i % 3 == 1 else 1)
    title = rng.choice(v["titles"])
    paras = [" ".join(rng.sample(v["sentences"], 3)) for _ in range(4)]
    iso = published.isoformat(timespec="seconds")
    shown = published.strftime("%d.%m.%Y %H:%M") if lang == "de" else published.strftime("%Y-%m-%d %H:%M")
    head, jsonld = "", {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title}
    date_html = escape(shown)
    if date_source in ("time", "time_naive"):
        date_html = f'<time datetime="{iso}">{escape(shown)}</time>'
    elif date_source == "jsonld":
        jsonld["datePublished"] = iso
    else:
        head += f'<meta property="article:published_time" content="{iso}">'
    names = f" {v['and']} ".join(authors)
    byline = ""
    if author_source == "rel_author":
        byline = f'{v["by"]} ' + f" {v['and']} ".join(
            f'<a rel="author" href="/authors/{a.lower().replace(" ", "-")}">{escape(a)}</a>' for a in authors)
    elif author_source == "jsonld":
        jsonld["author"] = [{"@type": "Person", "name": a} for a in authors]
    elif author_source == "meta":
        head += "".join(f'<meta name="author" content="{escape(a)}">' for a in authors)
    else:
        byline = f'<span class="author-name">{v["by"]} {escape(names)}</span>'
    head += f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>'
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} - Daily Courier</title>{head}</head>'
            f'<body><header><a href="/">Daily Courier</a><nav><a href="/news">News</a> <a href="/sport">Sport</a></nav></header>'
            f'<main><article><h1>{escape(title)}</h1><div class="meta">{f"<span class=byline>{byline}</span> " if byline else ""}{date_html}</div>'
            f'<div class="article-body">{body}</div><div class="share">{v["share"]}</div></article>'
            f'<aside><h2>{v["related"]}</h2><ul><li><a href="/a/1">{escape(v["titles"][0])}</a> 2021-03-04</li></ul></aside></main>'
            f"<footer>© Daily Courier</footer></body></html>")
    return ForeignPage(f"https://news.example.{lang}/{published:%Y/%m/%d}/story-{i}.html", html, lang, title,
                       "\n".join(paras), published, authors, date_source, author_source)


def _published_ok(found: datetime | date | None, truth: datetime) -> tuple[bool, bool]:
    """(the instant, or the day in the page's own offset; the page's own offset kept)."""
    if isinstance(found, datetime):
        if truth.tzinfo is None:  # a naive page time: the wall clock, never given +07:00
            wall = found.replace(tzinfo=None, second=0, microsecond=0) == truth
            kept = found.tzinfo is None or found.utcoffset() != timedelta(hours=7)
            return wall, wall and kept
        if found.tzinfo is None:
            return False, False
        same = found.replace(second=0, microsecond=0) == truth
        return same, same and found.utcoffset() == truth.utcoffset()
    if isinstance(found, date):
        return found == truth.date(), found == truth.date()
    return False, False


def evaluate_foreign(pages: int = 32, extractors: dict[str, Callable[..., Extracted]] | None = None) -> dict:
    extractors = extractors or EXTRACTORS
    built = [foreign_page(i) for i in range(pages)]
    out: dict = {"pages": pages}
    for name, extract in extractors.items():
        hits = {"title": 0, "published": 0, "offset": 0, "authors": 0}
        bodies = []
        for p in built:
            got = extract(p.html.encode("utf-8"), p.url)
            bodies.append((p.text, got.text or ""))
            hits["title"] += got.title == p.title
            ok, kept = _published_ok(got.published, p.published)
            hits["published"] += ok
            hits["offset"] += kept
            hits["authors"] += list(got.authors) == p.authors
        row: dict = {k: v / pages for k, v in hits.items()}
        row["body_f1"] = body_scores(bodies)["f1"]
        for f in ("title", "published", "authors"):
            if not supports(extract, f):
                row[f] = None
        out[name] = row
    return out
