"""The outlet of an article: from metadata, the URL's domain, or a trailing tag."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Domains of outlets our users monitor most, and the names analysts use for them.
OUTLET_DOMAINS = {
    "rt.com": "RT", "apnews.com": "AP", "reuters.com": "Reuters", "afp.com": "AFP", "tass.com": "TASS",
    "tass.ru": "TASS", "ria.ru": "RIA Novosti", "sputniknews.com": "Sputnik", "bbc.com": "BBC",
    "bbc.co.uk": "BBC", "cnn.com": "CNN", "nytimes.com": "The New York Times", "washingtonpost.com":
    "The Washington Post", "theguardian.com": "The Guardian", "kyivindependent.com": "The Kyiv Independent",
    "pravda.com.ua": "Ukrainska Pravda", "unian.net": "UNIAN", "ukrinform.net": "Ukrinform",
    "aljazeera.com": "Al Jazeera", "foxnews.com": "Fox News", "breitbart.com": "Breitbart",
    "huffpost.com": "HuffPost", "politico.com": "Politico", "usatoday.com": "USA Today",
    "westernjournal.com": "Western Journal", "globaltimes.cn": "Global Times", "xinhuanet.com": "Xinhua",
}


def _host(url: str | None) -> str | None:
    if not url:
        return None
    return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().removeprefix("www.") or None


def known_outlet(url: str | None) -> str | None:
    """The name of a known outlet whose domain (or a parent domain) the URL is on."""
    host = _host(url)
    if host is None:
        return None
    parts = host.split(".")
    for size in range(len(parts), 1, -1):
        candidate = ".".join(parts[-size:])
        if candidate in OUTLET_DOMAINS:
            return OUTLET_DOMAINS[candidate]
    return None


def outlet_from_url(url: str | None) -> str | None:
    """The outlet named by a URL's domain: a known outlet's name, else the bare domain."""
    return known_outlet(url) or _host(url)
