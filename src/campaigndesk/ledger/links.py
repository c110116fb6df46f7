"""When two links name the same media output.

Reporters paste links copied from a phone: the same WeChat article comes with a
different ``scene``, ``chksm`` or ``sessionid`` each time it is shared; a news page with
``utm_*`` or ``spm`` tracking or a ``share_*`` tail, as ``http`` or ``https``, with or
without a trailing slash or a ``#`` anchor. ``link_key`` reduces a link to what names the
page, and the duplicate check (``RecordWriter.duplicate_of``, the import's
``_flag_duplicates``) compares those keys; the link itself is kept as typed.

What is dropped: the scheme (http and https name the same page here), port 80 or 443,
``www.``, the case of the host, a trailing slash, percent-escapes (the path and the
parameters are compared decoded), the fragment (unless it is a route,
``#/...`` or ``#!...``, which single-page sites use to name the page), and the query
parameters that only say who shared it or from where (``TRACKING``); the remaining
parameters are sorted. A WeChat article link (``mp.weixin.qq.com/s?...``) that carries the
four parameters naming the article keeps only those; one without them (a temporary link,
``src=...&signature=...``) is treated like any other. Short links of a service (a
``/s/<id>`` WeChat link beside its long form) cannot be matched without fetching them,
and are not.

The key is stored with each output (``MediaOutput.url_key``). When these rules change,
``campaigndesk url-keys-refresh`` recomputes the stored keys, so that old outputs compare
by the same rules as new ones.
"""

from urllib.parse import unquote, unquote_plus, urlsplit

# Query parameters that say who shared a link, from where or when, never which page (with
# any ``utm_*``, ``share_*`` or ``sharer_*``). Kept short on purpose: a parameter that may
# name a page (``lang``, ``version``, ``id``) stays, since a link wrongly taken for another
# one's duplicate stops counting until the office confirms it.
TRACKING = frozenset(
    {"spm", "from", "isappinstalled", "scene", "subscene", "chksm", "sessionid", "clicktime"}
)
TRACKING_PREFIXES = ("utm_", "share_", "sharer_")
# The parameters that name a WeChat article (mp.weixin.qq.com/s?...).
WECHAT_ARTICLE = ("__biz", "mid", "idx", "sn")


def link_key(url: str) -> str:
    """The key two links naming the same page share ("" for no link). Anything that does
    not parse as a link is its own key (stripped)."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if not host:
        return url
    if host.startswith("www."):
        host = host[4:]
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    # (a decoded NUL written back as it came: no text column may hold one)
    path = unquote(parts.path).replace("\x00", "%00").rstrip("/")
    # (a link copied out of a web page may have its & written as &amp;)
    pairs = [_decoded(piece) for piece in parts.query.replace("&amp;", "&").split("&") if piece]
    names = [piece.partition("=")[0] for piece in pairs]
    if host == "mp.weixin.qq.com" and path == "/s" and set(WECHAT_ARTICLE) <= set(names):
        pairs = [p for p, name in zip(pairs, names, strict=True) if name in WECHAT_ARTICLE]
    else:
        pairs = [
            p
            for p, name in zip(pairs, names, strict=True)
            if name.lower() not in TRACKING and not name.lower().startswith(TRACKING_PREFIXES)
        ]
    key = host + path
    if pairs:
        key += "?" + "&".join(sorted(pairs))
    fragment = parts.fragment
    if fragment.startswith(("/", "!")):
        key += "#" + fragment
    return key


def _decoded(piece: str) -> str:
    """A query parameter with its name and value percent-decoded (a shared WeChat link
        writes the ``==`` of ``__biz`` as ``%3D%3D``; ``+`` is a space), an ``&`` that was
        escaped escaped again so that it cannot split the key's parameters (and a NUL, which no
    text column may hold, escaped again too). Never longer than
        the piece: decoding shortens, and each ``&`` came from a ``%26``."""
    name, equals, value = piece.partition("=")
    name, value = (
        unquote_plus(text).replace("&", "%26").replace("\x00", "%00") for text in (name, value)
    )
    return name + equals + value
