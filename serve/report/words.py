"""The words a reader sees for the codes the marts carry (verdicts, flags, formats, platforms, campaign ids).

The marts' free-text reasons are written for analysts as much as for readers: ``readable`` turns the codes in them
into words. A code this module does not know is shown as it is, and the report tests grep the rendered sample for
any left.
"""

from __future__ import annotations

import re

VERDICTS = {"approve": "approved", "review": "in review", "reject": "rejected", "not vetted": "not vetted"}
PLATFORMS = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}
FORMATS = {"instagram_post": "Instagram post", "instagram_reel": "Instagram Reel", "instagram_story": "Instagram Story",
           "tiktok_video": "TikTok video", "youtube_video": "YouTube video"}
RATE_FLAGS = {"over_priced": "over-priced", "under_priced": "under-priced", "in_range": "within the market range",
              "unknown": "not judged"}
ROI_UNDEFINED = {"zero_cost_gift_cogs_not_recorded": "no cost: the gift product cost was not recorded",
                 "zero_cost": "no cost recorded", "no_contract": "no contract recorded"}
# Where the marts point an analyst, what a reader opens instead.
MART_REFERENCES = {"the contract_deliverables mart": "the contract posts on the dashboard's Campaigns page",
                   "creator_vetting_reasons": "the dashboard's Creator detail page",
                   "seed rate_card": "the market rate card"}

_FORMAT = re.compile(r"\b(?:(\d+) )?(" + "|".join(FORMATS) + r")\b")
# A platform's code as a word, not inside a link, an @handle or a #hashtag.
_PLATFORM = re.compile(r"(?<![\w./@#])(" + "|".join(PLATFORMS) + r")(?![\w.]*/)\b")
_CAMPAIGN_ID = re.compile(r"\bcmp_\w+")
_CONTRACT_IDS = re.compile(r"\bcontracts? (ct_\w+(?:, ct_\w+)*)")


def verdict(code: str) -> str:
    return VERDICTS.get(code, code)


def platform(code: str) -> str:
    return PLATFORMS.get(code, code)


def platforms(codes: str) -> str:
    """"instagram, youtube" -> "Instagram, YouTube"."""
    return ", ".join(platform(code) for code in codes.split(", "))


def deliverable_format(code: str) -> str:
    return FORMATS.get(code, code.replace("_", " "))


def rate_flag(code: str) -> str:
    return RATE_FLAGS.get(code, code)


def roi_undefined(code: str) -> str:
    return ROI_UNDEFINED.get(code, code.replace("_", " "))


def _format(match: re.Match) -> str:
    count, label = match.group(1), FORMATS[match.group(2)]
    if count is None:
        return label
    return f"{count} {label}{'' if count == '1' else 's'}"


def _contracts(match: re.Match, contracts: dict[str, str]) -> str:
    """"contracts ct_1, ct_2" -> "the Spring Glow 2026 and Summer SPF 2026 contracts" (the creator is named beside
    it); an id without a known campaign stays as it is."""
    ids = match.group(1).split(", ")
    if not all(i in contracts for i in ids):
        return match.group(0)
    campaigns = list(dict.fromkeys(contracts[i] for i in ids))
    listed = campaigns[0] if len(campaigns) == 1 else ", ".join(campaigns[:-1]) + " and " + campaigns[-1]
    return f"the {listed} contract{'' if len(ids) == 1 else 's'}"


def readable(text: str, campaigns: dict[str, str], contracts: dict[str, str]) -> str:
    """A mart's reason in words: formats and platforms named, campaign ids (``campaigns``: id -> name) by their name,
    contract ids (``contracts``: id -> campaign name) by their campaign, references to marts and seeds turned into
    what a reader opens."""
    for mart, words in MART_REFERENCES.items():
        text = text.replace(mart, words)
    text = _FORMAT.sub(_format, text)
    text = _PLATFORM.sub(lambda m: PLATFORMS[m.group(1)], text)
    text = _CONTRACT_IDS.sub(lambda m: _contracts(m, contracts), text)
    return _CAMPAIGN_ID.sub(lambda m: campaigns.get(m.group(0), m.group(0)), text)
