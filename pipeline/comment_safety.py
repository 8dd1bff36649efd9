"""Brand-safety signals of one comment: VADER sentiment, spam patterns and toxic terms (better-profanity).

Ingest runs this once per distinct comment text (ingest/comment_scores.py, raw.comment_scores) and dbt joins the
scores to the comments (int_comment_safety_scores); the cut that makes a comment negative and every share and
threshold live in dbt (var ``brand_safety_negative_compound``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import groupby

from better_profanity import Profanity
from better_profanity.constants import ALLOWED_CHARACTERS
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER reads an emoji by its Unicode name, which misreads how comments use a few of them: 🔥 ("fire", -1.4) is
# praise and 😭 ("loudly crying face") is mostly laughter or delight, while the insults 🤮 🤡 👎 😡 💩 🖕 🙄 read as
# neutral names. These emoji get the meaning a comment gives them; every word is still VADER's own lexicon.
EMOJI_MEANINGS = {
    "🔥": "great", "😭": "", "🤮": "disgusting", "🤡": "ridiculous", "👎": "bad", "😡": "angry", "💩": "crap",
    "🖕": "hate", "🙄": "annoying",
}

# Spam a brand does not want under its sponsored post: links, "DM us"/"check my page" solicitations, follower and
# money offers, promo pages. Matched case-insensitively on the whole comment.
SPAM = re.compile(
    r"https?://|www\.|\bbit\.ly\b|\b[a-z0-9-]+\.(?:com|net|io|ly|shop|store|link|me)\b"
    r"|\b(?:dm|inbox|message)\s+(?:me|us|@)|\bsend\s+(?:a\s+)?(?:dm|message)\b"
    r"|\bcheck\s+(?:out\s+)?(?:my|our)\s+(?:page|profile|bio|account|story|stories)\b|\blink\s+in\s+(?:my\s+)?bio\b"
    r"|\bfollow\s+(?:me|back|4\s*follow)\b|\b(?:f4f|l4l|s4s)\b|\bfree\s+(?:followers|likes)\b"
    r"|\bpromote\s+it\s+on\b|\bbrand\s+ambassadors?\b|\bearn\s+\$|\$\d+\s*(?:a|per)\s+day\b",
    re.IGNORECASE,
)

# "fire" is praise under a post ("this is fire"), not a disaster (VADER: -1.4); "great" is VADER's own 3.1.
SLANG_VALENCE = {"fire": 3.1}
# better-profanity lists exclamations that comments use as praise ("omg 😍", "hell yes", "you killed it, god"):
# not toxic here. Its insults and swearing (stupid, ugly, wtf, stfu, crap...) stay.
NOT_TOXIC = ("omg", "lmao", "god", "hell", "damn", "kill")

_SENTIMENT = SentimentIntensityAnalyzer()
_SENTIMENT.emojis.update(EMOJI_MEANINGS)
_SENTIMENT.lexicon.update(SLANG_VALENCE)
_PROFANITY = Profanity()
_PROFANITY.load_censor_words(whitelist_words=list(NOT_TOXIC))
# The library's entries holding a separator ("blow job", "bull-shit", "sh!t") as one pattern, each letter with its
# leetspeak variants from the library's own map, the separators as written: the word-by-word check below cannot see
# across a separator.
_WORD_CHAR = "a-z0-9@$*'\""
_PHRASES = re.compile("|".join(
    f"(?<![{_WORD_CHAR}])"
    + "".join("[" + re.escape("".join(_PROFANITY.CHARS_MAPPING.get(c, (c,)))) + "]" for c in str(entry))
    + f"(?![{_WORD_CHAR}])"
    for entry in _PROFANITY.CENSOR_WORDSET if re.search(f"[^{_WORD_CHAR}]", str(entry))
))


@dataclass(frozen=True)
class CommentSignals:
    sentiment: float  # VADER compound, -1 (most negative) .. 1
    is_spam: bool
    is_toxic: bool


def score_comment(text: str | None) -> CommentSignals:
    """The brand-safety signals of one comment text (an empty or missing text is neutral and clean)."""
    text = text or ""
    return CommentSignals(
        sentiment=_SENTIMENT.polarity_scores(text)["compound"],
        is_spam=SPAM.search(text) is not None,
        is_toxic=is_toxic(text),
    )


def is_toxic(text: str) -> bool:
    """better-profanity's verdict (its word list with leetspeak variants: b1tch, sh1t, f*ck). The library compares
    every word of a comment with all ~900 entries of its list (about 8 ms a comment), so the words are compared here
    with the library's own entries of a length that can match, each distinct word once; its multi-word entries are
    matched by one pattern built from them."""
    return any(_is_profane_word(w.lower()) for w in _words(text)) or _PHRASES.search(text.lower()) is not None


def _words(text: str) -> list[str]:
    """The runs of characters better-profanity treats as a word (letters, digits, @ $ * ' ")."""
    return ["".join(run) for allowed, run in groupby(text, key=ALLOWED_CHARACTERS.__contains__) if allowed]


@cache
def _is_profane_word(word: str) -> bool:
    # The library skips one-character texts; an entry equals a word when the word is one of its spellings.
    return len(word) > 1 and any(entry == word for entry in _ENTRIES_BY_LENGTH.get(len(word), ()))


def _entries_by_length() -> dict[int, list]:
    """The library's entries (VaryingString: every spelling of a word) by the word lengths they can match."""
    by_length: dict[int, list] = {}
    for entry in _PROFANITY.CENSOR_WORDSET:
        for length in range(entry._min_len, entry._max_len + 1):
            by_length.setdefault(length, []).append(entry)
    return by_length


_ENTRIES_BY_LENGTH = _entries_by_length()
