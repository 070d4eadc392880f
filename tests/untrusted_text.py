"""Hypothesis strategies for untrusted text: every plane, control characters, very long, Markdown."""

from hypothesis import strategies as st

# Every code point, surrogates and control characters included.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
# Pieces that make Markdown, Slack markup and links, so the search reaches them often.
MARKUP = st.sampled_from(
    [
        "[", "]", "(", ")", "<", ">", "!", "`", "```", "~~~", "*", "_", "\\", "\n", "\n\n", " ", "    ",
        "|", ":", "&", "#", "- ", "1. ", "> ", "http://evil.example", "mailto:a@b.example", "](", "][",
        "]:", "<!channel>", "<@U0BOSS001>", "<#C0SECRET>", "<https://evil.example|docs>", "@here",
        "@everyone", "&lt;", "\u2060", "\u202e", "\x1b[2J", "\x00", "\r\n", "\ud800", "😀", "д",
    ]
)  # fmt: skip


LABEL = st.text(st.sampled_from("ab [] \n*`!"), max_size=8)
URL = st.sampled_from(
    ["https://evil.example", "http://x.example/a(b)", "<https://e.example/a b>", "mailto:a@b.example"]
)
# Every CommonMark way to write a link or image, so some examples are links in disguise.
LINKS = st.one_of(
    st.builds("[{}]({}{})".format, LABEL, URL, st.sampled_from(["", ' "title"', " 'title'", " (title)"])),
    st.builds("![{}]( {} )".format, LABEL, URL),
    st.builds("[{}][{}]\n\n[{}]: {}".format, LABEL, st.just("r"), st.just("r"), URL),
    st.builds("[{}]\n\n[{}]: {}".format, st.just("ref"), st.just("ref"), URL),
    st.builds("<{}>".format, URL),
)


def untrusted_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Text as a person, a crafted payload or a model might send it."""
    random_text = st.text(ANY_CHARACTER, max_size=max_size)
    pieces = st.one_of(MARKUP, LINKS, st.text(ANY_CHARACTER, max_size=3))
    markup = st.lists(pieces, max_size=60).map("".join)
    long_text = st.builds(
        lambda piece, times: piece * times,
        st.text(ANY_CHARACTER, min_size=1, max_size=8),
        st.integers(100, 2500),
    )
    return st.one_of(random_text, markup, long_text)
