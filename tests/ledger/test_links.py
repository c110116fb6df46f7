"""When two links name the same output (``ledger.links.link_key``)."""

import pytest

from campaigndesk.ledger.links import link_key

ARTICLE = "mp.weixin.qq.com/s?__biz=MzA5NjY2&idx=1&mid=2650&sn=3f0c"


@pytest.mark.parametrize(
    "url",
    [
        "https://mp.weixin.qq.com/s?__biz=MzA5NjY2&mid=2650&idx=1&sn=3f0c",
        "http://mp.weixin.qq.com/s?__biz=MzA5NjY2&mid=2650&idx=1&sn=3f0c#wechat_redirect",
        "https://mp.weixin.qq.com/s?__biz=MzA5NjY2&mid=2650&idx=1&sn=3f0c&chksm=8b1e"
        "&scene=21&sessionid=1707&clicktime=1707&enterid=1707&ascene=1&devicetype=iOS17"
        "&version=18002c2a&lang=zh_CN&pass_ticket=x%2By&wx_header=0",
        "https://MP.WEIXIN.QQ.COM/s/?sn=3f0c&idx=1&mid=2650&__biz=MzA5NjY2",
        # copied out of a web page's source, & written as &amp;
        "https://mp.weixin.qq.com/s?__biz=MzA5NjY2&amp;mid=2650&amp;idx=1&amp;sn=3f0c&amp;scene=21",
    ],
)
def test_a_wechat_article_shared_many_ways_has_one_key(url):
    assert link_key(url) == ARTICLE


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://news.example.cn/a/1", "http://news.example.cn/a/1/"),
        ("https://news.example.cn/a/1", "https://www.news.example.cn:443/a/1#comments"),
        ("https://news.example.cn/a?id=7", "https://news.example.cn/a?utm_source=wx&id=7"),
        ("https://news.example.cn/a?id=7&p=2", "https://news.example.cn/a?p=2&spm=a.b&id=7"),
        ("https://v.example.cn/v/9", "https://v.example.cn/v/9?share_token=k&from=timeline"),
        ("  https://news.example.cn/a/1 ", "https://news.example.cn/a/1"),
    ],
)
def test_the_same_page(first, second):
    assert link_key(first) == link_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://news.example.cn/a?id=7", "https://news.example.cn/a?id=8"),
        ("https://news.example.cn/a?lang=en", "https://news.example.cn/a?lang=zh"),
        ("https://news.example.cn/a/1", "https://news.example.cn/a/2"),
        ("https://news.example.cn/a/1", "https://news.example.cn:8080/a/1"),
        ("https://news.example.cn/a/1", "https://other.example.cn/a/1"),
        ("https://app.example.cn/#/article/1", "https://app.example.cn/#/article/2"),
        (
            "https://mp.weixin.qq.com/s?__biz=M&mid=1&idx=1&sn=a",
            "https://mp.weixin.qq.com/s?__biz=M&mid=1&idx=2&sn=b",
        ),
        # temporary links (no __biz/mid/idx/sn) keep what they carry
        (
            "https://mp.weixin.qq.com/s?src=11&timestamp=1707&ver=5&signature=abc",
            "https://mp.weixin.qq.com/s?src=11&timestamp=1707&ver=5&signature=abd",
        ),
        # an account's articles differ by mid and sn, also with &amp;
        (
            "https://mp.weixin.qq.com/s?__biz=M&amp;mid=1&amp;idx=1&amp;sn=a",
            "https://mp.weixin.qq.com/s?__biz=M&amp;mid=2&amp;idx=1&amp;sn=b",
        ),
        # (a short link cannot be matched with the long one without fetching it)
        ("https://mp.weixin.qq.com/s/AbCdEf", "https://mp.weixin.qq.com/s/AbCdEg"),
    ],
)
def test_different_pages(first, second):
    assert link_key(first) != link_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # a shared copy writes the == of __biz escaped, and adds its tracking
        (
            "https://mp.weixin.qq.com/s?__biz=MzA3NjE2NjY4MA==&mid=2650&idx=1&sn=abc",
            "https://mp.weixin.qq.com/s?__biz=MzA3NjE2NjY4MA%3D%3D&mid=2650&idx=1&sn=abc"
            "&chksm=9&scene=21",
        ),
        ("https://news.example.cn/a/新闻", "https://news.example.cn/a/%E6%96%B0%E9%97%BB"),
        ("https://example.cn/s?q=库区+新貌", "https://example.cn/s?q=%E5%BA%93%E5%8C%BA%20新貌"),
    ],
)
def test_escaped_and_plain_spellings_are_the_same_link(first, second):
    assert link_key(first) == link_key(second)


def test_an_escaped_ampersand_does_not_split_a_parameter():
    assert link_key("https://e.cn/p?a=1%26b=2") != link_key("https://e.cn/p?a=1&b=2")


def test_no_link_and_not_a_link():
    assert link_key("") == link_key("   ") == ""
    assert link_key("see the WeChat group") == "see the WeChat group"
    assert link_key("https://[::1") == "https://[::1"  # (does not parse)


def test_the_key_is_never_longer_than_the_link():
    url = "https://news.example.cn/文章?标题=%E5%BA%93%E5%8C%BA&utm_medium=x" + "&a=1" * 100
    assert len(link_key(url)) <= len(url)
