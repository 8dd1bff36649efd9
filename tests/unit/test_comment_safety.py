"""The comment scorer behind the brand-safety check (pipeline/comment_safety.py), on comments as scrapers export them:
the real VADER and better-profanity, no stand-ins."""

import pytest

from pipeline.comment_safety import score_comment

NEGATIVE_CUT = -0.05  # dbt var brand_safety_negative_compound


@pytest.mark.parametrize("text", [
    "This is such a SCAM 👎👎 unfollowing",
    "worst serum ever, it gave me a horrible rash. DON'T buy",
    "you're so fake lol 🤡🤡",
])
def test_hostile_comments_are_negative(text: str) -> None:
    assert score_comment(text).sentiment < NEGATIVE_CUT


@pytest.mark.parametrize("text", ["🔥🔥🔥", "😍😍😍", "👏👏", "so good 😭😭", "this is fire"])
def test_emoji_and_slang_praise_is_not_negative(text: str) -> None:
    """VADER alone reads 🔥 as "fire" (-0.73 for three) and 😭 as crying: praise must not count against a creator."""
    signals = score_comment(text)
    assert signals.sentiment >= 0 and not signals.is_toxic and not signals.is_spam


def test_sarcastic_praise_reads_as_positive_a_known_limit() -> None:
    """VADER has no sense of sarcasm: a sarcastic comment counts as positive. The check works on shares of many
    comments, so a few of these do not move it; this test pins the limit down so a change of scorer shows."""
    assert score_comment("Oh great, another ad. Just what I needed").sentiment > 0


@pytest.mark.parametrize("text", ["u r such a b1tch lmao", "wtf is this sh1t 🤮", "f*ck off with these ads",
                                  "what a load of bull shit", "ur a clown and an a55hole"])
def test_toxic_terms_are_found_in_leetspeak_and_across_words(text: str) -> None:
    assert score_comment(text).is_toxic


@pytest.mark.parametrize("text", ["omg 😍", "Classic assessment of the classics", "hell yes, you killed it",
                                  "Does the serum ship to Canada or only the US?", "sob, this is so cute"])
def test_ordinary_words_and_praise_exclamations_are_not_toxic(text: str) -> None:
    assert not score_comment(text).is_toxic


@pytest.mark.parametrize("text", ["DM @glow.promo.hub to collab 💰💰", "Check my page for FREE followers!! 🔥",
                                  "Earn $500 a day from home 👉 bit.ly/3xQz9Lp", "Promote it on @viral_boost_page 🚀"])
def test_spam_is_found(text: str) -> None:
    assert score_comment(text).is_spam


def test_a_genuine_question_is_clean_and_an_empty_comment_is_neutral() -> None:
    question = score_comment("Is there a discount on the serum this week or did it end already")
    assert (question.is_spam, question.is_toxic) == (False, False) and question.sentiment > NEGATIVE_CUT
    assert score_comment(None) == score_comment("") and score_comment(None).sentiment == 0


def test_the_fast_toxic_check_agrees_with_the_library_word_for_word() -> None:
    """is_toxic compares words with better-profanity's own entries, indexed by length: on every entry of its list,
    in leetspeak and with a letter more or less, and on its entries with separators ("bull shit", "sh!t"), it must
    give the library's own answer.
    (What it leaves out on purpose: the library also glues neighbouring words together, "f uck", which flags
    "such a ssfuck" as "assfuck"; pieces of a split word are not checked.)"""
    from better_profanity.constants import ALLOWED_CHARACTERS

    from pipeline.comment_safety import _PROFANITY, is_toxic

    entries = [str(e) for e in _PROFANITY.CENSOR_WORDSET]
    words = {v for e in entries if all(c in ALLOWED_CHARACTERS for c in e)
             for v in (e, e.replace("i", "1").replace("s", "$"), e + "s", e[1:], "x" + e)}
    # An entry ending in punctuation ("shi+") never matches in the library mid-sentence (it reads "shi+ ok" as one
    # piece); the pattern finds it, so those are left out of the comparison.
    phrases = [f"that is {e} ok" for e in entries
               if not all(c in ALLOWED_CHARACTERS for c in e) and e[-1] in ALLOWED_CHARACTERS]
    disagree = [t for t in sorted(words) + phrases if len(t) > 1 and is_toxic(t) != _PROFANITY.contains_profanity(t)]
    assert not disagree and len(words) > 3000 and len(phrases) > 20
