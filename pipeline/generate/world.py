"""The generated "world": creators, their platform accounts, campaigns, contracts, codes and links.

Everything is drawn from ``random.Random`` streams seeded by (seed, purpose), so a seed always gives the same
world and adding a draw to one part does not shift the others.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeline.generate.scales import Scale
from pipeline.generate.text import FIRST_NAMES, LAST_NAMES
from pipeline.settings import SAMPLE_BRAND_HANDLE

PLATFORMS = ("instagram", "tiktok", "youtube")
BRAND_HANDLE = SAMPLE_BRAND_HANDLE
TARGET_COUNTRIES = ("US", "CA", "GB")
SITEWIDE_CODES = ("WELCOME10", "FREESHIP")

# Planted cases: each creator carries at most one. "viral_genuine" is a good creator that must NOT be flagged.
BAD_CASES = (
    "bought_followers",
    "engagement_pod",
    "never_discloses",
    "audience_outside_target",
    "leaked_code",
    "zero_cost_gifting",
)
GOOD_CASES = ("viral_genuine",)
# Planted after the cases above, from their own random stream, so adding them changed no other creator: bought
# followers delivered a few a day (no spike to see), visible only in a follower sample.
SAMPLE_CASES = ("bought_followers_gradual",)
SAMPLED_PLATFORMS = ("instagram", "tiktok")  # follower samples exist for these (YouTube subscribers are private)
# Planted last, from their own streams (no other creator changes): a sponsored post for a competitor in the last
# year, and one inside the exclusivity window of one of our contracts (a breach).
PARTNER_CASES = ("competitor_partnership", "exclusivity_breach")
# Planted after those, from its own stream (no other creator changes): an Instagram creator whose followers never
# watch (stories and Reels reach a few % of what the tier gets; bought or pod likes keep engagement looking normal).
GHOST_CASE = "ghost_audience"
AUDIENCE_CASES = (GHOST_CASE,)
# Planted after those, from its own stream (no other creator changes): a creator whose comments are hostile (negative,
# toxic, spam); genuine creators get an occasional negative comment, which must not flag them.
SAFETY_CASES = ("hostile_comments",)
# Competitors as the dbt seed competitor_brands lists them: (brand, category, handle, hashtag, product keyword).
COMPETITORS = (
    ("GlowCo", "skincare", "glowco", "glowcopartner", "Dew Drops Serum"),
    ("Radiant Labs", "skincare", "radiantlabs", "radiantskin", "Bright C Serum"),
    ("Solara", "suncare", "solaraskin", "solaraspf", "Solara Sun Fluid"),
)
EXCLUSIVE_SHARE = 0.35  # of contracts with an exclusivity clause
# Planted after the partner cases, from their own stream: a creator who posts a contract's posts after its due date,
# and one who never posts part of them. Every contract's posts are due DELIVERABLE_DAYS after its campaign starts
# (the last day the social writer schedules them), so a genuine creator is always on time.
DELIVERY_CASES = ("late_delivery", "missed_delivery")
DELIVERABLE_DAYS = 35
MISSED_POSTS = 2  # posts a missed_delivery contract asks for beyond those posted
# Planted last, from their own stream (no other creator changes: only the chosen creators' contract costs move): a
# consistent top performer, a declining one and one with too few recent orders, as the budget_recommendations mart
# judges them over its recent window (dbt vars budget_recent_days, budget_min_orders). They are genuine creators, so
# their case is kept apart (World.budget_cases): a case planted after them must skip them.
BUDGET_CASES = ("consistent_top_performer", "declining_performer", "too_little_data")
BUDGET_RECENT_DAYS = 56
BUDGET_MIN_ORDERS = 10
AOV_ESTIMATE = 80.0  # about the net revenue of a generated order (USD)
ATTRIBUTED_SHARE = 0.85  # of the orders a sponsored post drives: code or link, the rest organic
# Planted after all the cases above, from its own stream: creators given product for a campaign who never post about it
# (seeding_performance shows them gifted, not posted). Their gifted-only contracts are kept apart
# (World.seeding_contracts), out of World.contracts, so no writer draws for them: no other post, order, click or
# deliverable moves. The creators are otherwise genuine and keep no case.
SEEDING_CASE = "gifted_never_posted"
# Planted after those, from its own stream: Instagram creators (reach is known there) with a few recent unsponsored
# posts that engage far above their usual, the organic winners content_post_performance must name. Only the chosen
# posts' metrics are scaled (never redrawn, by the social writer), so no other creator moves. The creators are otherwise
# genuine and keep no case (World.organic_winner_creators).
ORGANIC_WINNER_POSTS = 2  # per planted creator
ORGANIC_WINNER_DAYS = 60  # picked among the unsponsored posts of this many last days (the mart's window is 90)
ORGANIC_WINNER_BOOST = 8  # likes, shares and saves x this (the mart asks for 3x the account's median engagement)
ORGANIC_WINNER_REACH_BOOST = 3  # reach and views x this
# Planted after those, from its own stream: a creator paid far above the market rate card (dbt seed rate_card) for
# every deliverable, one paid far under it, and a long-term partner whose ROAS grew from their first campaign to their
# latest (rate_fairness, rate_review). Only the chosen creators' flat fees move (commission, bonus and amplification
# dropped), so no post or order does. The over- and under-priced creators stay micro on every account (followers at
# the start in RATE_MICRO_FOLLOWERS, and still under MICRO_MAX_FOLLOWERS at the end grown at RATE_GROWTH_MARGIN times
# the account's daily rate: at scale L's 730 days a 33,000-follower account turned macro, whose card range holds the
# over-priced fee), so one price per post is outside every micro row of the card.
# They are genuine creators kept apart (World.rate_cases).
RATE_CASES = ("over_priced", "under_priced", "growing_partner")
RATE_MICRO_FOLLOWERS = (12_000, 35_000)
MICRO_MAX_FOLLOWERS = 100_000  # dbt seed follower_tiers: micro ends here
# Above the mean of the follower series' growth (SocialWriter._follower_series: weekday factors average 1.04, a
# posting day adds 30%), so an account that passes stays micro in any draw of its noise.
RATE_GROWTH_MARGIN = 1.5
RATE_OVER_PER_POST = 10_000.0  # USD; the card's micro rows end at about USD 2,000 (x1.5 with an exclusivity clause)
RATE_UNDER_PER_POST = 15.0  # USD; the card's micro rows start at GBP 80 (about USD 100)
RATE_REVIEW_MIN_TENURE_DAYS = 90  # dbt var rate_review_min_tenure_days: the first campaign starts this long before
RATE_REVIEW_MIN_ORDERS = 5  # dbt var rate_review_min_orders: each campaign is expected to bring twice this
RATE_REVIEW_ROAS = (1.5, 6.0)  # the partner's first and latest campaign (the mart asks for +25% and at least 2.0x)

# Engagement the generator draws around; the dbt benchmark seed holds the published figures.
TRUE_ER_FOLLOWERS = {"nano": 0.040, "micro": 0.022, "macro": 0.013}
CADENCE_PER_WEEK = {"instagram": 3.0, "tiktok": 4.0, "youtube": 1.0}


def deliverable_format(platform: str, is_reel: bool) -> str:
    """The contract_deliverables template's format of a post."""
    if platform == "instagram":
        return "instagram_reel" if is_reel else "instagram_post"
    return f"{platform}_video"


def rng_for(seed: int, *purpose: object) -> random.Random:
    return random.Random("|".join([str(seed), *map(str, purpose)]))


def tier_of(followers: int) -> str:
    if followers < 10_000:
        return "nano"
    if followers < 100_000:
        return "micro"
    if followers < 1_000_000:
        return "macro"
    return "mega"


@dataclass
class Account:
    platform: str
    account_id: str
    handle: str
    followers_start: int
    daily_growth: float
    er_scale: float  # multiplier on the tier's typical engagement (1.0 = typical)


@dataclass
class Creator:
    creator_id: str
    name: str
    home_country: str
    accounts: list[Account]
    audience: dict[str, float]
    generic_share: float
    case: str | None = None

    @property
    def primary(self) -> Account:
        return self.accounts[0]


@dataclass
class Campaign:
    campaign_id: str
    name: str
    start: date
    end: date
    target_countries: tuple[str, ...] = TARGET_COUNTRIES
    budget: str = ""  # empty: no budget set


@dataclass
class Contract:
    contract_id: str
    creator_id: str
    campaign_id: str
    currency: str
    flat_fee: str
    gifted_units: int
    unit_cost: str  # empty when the marketer did not record COGS
    gift_shipping_cost: str
    commission_rate: str
    bonus_threshold_net_revenue: str
    bonus_amount: str
    paid_amplification: str
    code: str
    discount_percent: int
    link_id: str
    code_valid_from: date
    code_valid_to: date
    sponsored_posts: int
    conversion: float  # orders per 1,000 followers per sponsored post
    # Exclusivity clause (optional columns of the contracts template); empty: none.
    exclusivity_category: str = ""
    exclusivity_days_before: str = ""
    exclusivity_days_after: str = ""


@dataclass
class CompetitorPost:
    """A sponsored post for a competitor (planted), written to a Meta Business Suite export of the account."""

    creator_id: str
    account: Account
    day: date
    brand: str
    caption: str
    contract_id: str | None  # the contract whose exclusivity it breaches


@dataclass
class World:
    seed: int
    scale: Scale
    start: date
    end: date
    creators: list[Creator]
    campaigns: list[Campaign]
    contracts: list[Contract]
    competitor_posts: list[CompetitorPost] = field(default_factory=list)
    truth: dict[str, list] = field(default_factory=dict)
    budget_cases: dict[str, str] = field(default_factory=dict)  # creator_id -> one of BUDGET_CASES
    seeding_contracts: list[Contract] = field(default_factory=list)  # SEEDING_CASE gifts, never posted about
    organic_winner_creators: list[str] = field(default_factory=list)  # their primary account gets organic winners
    rate_cases: dict[str, str] = field(default_factory=dict)  # creator_id -> one of RATE_CASES

    @property
    def creators_by_id(self) -> dict[str, Creator]:
        return {c.creator_id: c for c in self.creators}

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)


def _audience(r: random.Random, outside: bool) -> dict[str, float]:
    if outside:
        shares = {"BR": r.uniform(0.25, 0.4), "IN": r.uniform(0.15, 0.25), "ID": r.uniform(0.1, 0.2),
                  "MX": r.uniform(0.05, 0.1), "US": r.uniform(0.08, 0.14), "GB": r.uniform(0.02, 0.06)}
    else:
        shares = {"US": r.uniform(0.4, 0.6), "CA": r.uniform(0.08, 0.15), "GB": r.uniform(0.12, 0.22),
                  "AU": r.uniform(0.03, 0.08), "DE": r.uniform(0.01, 0.03), "IE": r.uniform(0.01, 0.03)}
    total = sum(shares.values())
    return {k: v / total for k, v in shares.items()}


def _followers(r: random.Random) -> int:
    band = r.choices(("nano", "micro", "macro"), weights=(12, 78, 10))[0]
    low, high = {"nano": (3_000, 9_900), "micro": (10_500, 95_000), "macro": (105_000, 400_000)}[band]
    return int(math.exp(r.uniform(math.log(low), math.log(high))))


def _assign_cases(r: random.Random, n: int) -> list[str | None]:
    per_case = max(2, round(n * 0.02))
    cases: list[str | None] = [None] * n
    slots = list(range(n))
    r.shuffle(slots)
    i = 0
    for case in BAD_CASES + GOOD_CASES:
        for _ in range(per_case):
            cases[slots[i]] = case
            i += 1
    return cases


def build_world(seed: int, scale: Scale, end: date) -> World:
    start = end - timedelta(days=scale.days - 1)
    r = rng_for(seed, "world")
    cases = _assign_cases(rng_for(seed, "cases"), scale.creators)
    creators: list[Creator] = []
    used_handles: set[str] = set()
    for i in range(scale.creators):
        case = cases[i]
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        base = f"{first}.{last}".lower()
        handle = base if base not in used_handles else f"{base}{i}"
        used_handles.add(handle)
        primary = r.choices(PLATFORMS, weights=(50, 35, 15))[0]
        if case in ("bought_followers", "viral_genuine"):
            # Spikes are judged on daily follower snapshots, which the study keeps for IG and TikTok.
            primary = r.choice(("instagram", "tiktok"))
        elif case == "audience_outside_target":
            # TikTok's Display API exposes no audience demographics: plant where the data can show it.
            primary = r.choice(("instagram", "youtube"))
        platforms = [primary]
        if r.random() < 0.25:
            platforms.append(r.choice([p for p in PLATFORMS if p != primary]))
        accounts = []
        for p in platforms:
            followers = _followers(r)
            if case in ("bought_followers", "viral_genuine") and p == primary:
                followers = max(followers, 25_000)
            accounts.append(Account(
                platform=p,
                account_id=_account_id(p, i, r),
                handle=handle.replace(".", "_") if p == "tiktok" else handle,
                followers_start=followers,
                daily_growth=r.uniform(0.0004, 0.0025),
                er_scale=math.exp(r.gauss(0, 0.22)),
            ))
        creators.append(Creator(
            creator_id=f"cr_{i + 1:05d}",
            name=f"{first} {last}",
            home_country=r.choice(("US", "US", "US", "CA", "GB")),
            accounts=accounts,
            audience=_audience(r, case == "audience_outside_target"),
            generic_share=r.uniform(0.55, 0.8) if case == "engagement_pod" else r.uniform(0.02, 0.14),
            case=case,
        ))
    _plant_sample_cases(rng_for(seed, "sample_cases"), creators)
    campaigns = _campaigns(rng_for(seed, "campaigns"), scale, start, end)
    contracts = _contracts(rng_for(seed, "contracts"), creators, campaigns)
    _set_budgets(campaigns, contracts)
    _set_exclusivity(rng_for(seed, "exclusivity"), contracts)
    competitor_posts = _plant_partner_cases(rng_for(seed, "partner_cases"), creators, campaigns, contracts,
                                            max(start, end - timedelta(days=360)), end)
    _plant_delivery_cases(rng_for(seed, "delivery_cases"), creators, campaigns, contracts, end)
    _plant_audience_cases(rng_for(seed, "audience_cases"), creators)
    _plant_safety_cases(rng_for(seed, "safety_cases"), creators)
    budget_cases = _plant_budget_cases(rng_for(seed, "budget_cases"), creators, campaigns, contracts, end)
    seeding = _plant_seeding_cases(rng_for(seed, "seeding_cases"), creators, campaigns, contracts, set(budget_cases))
    organic_winners = _plant_content_cases(rng_for(seed, "content_cases"), creators,
                                           set(budget_cases) | {k.creator_id for k in seeding})
    rate_cases = _plant_rate_cases(rng_for(seed, "rate_cases"), creators, campaigns, contracts, end, scale.days,
                                   set(budget_cases) | {k.creator_id for k in seeding} | set(organic_winners))
    return World(seed=seed, scale=scale, start=start, end=end, creators=creators,
                 campaigns=campaigns, contracts=contracts, competitor_posts=competitor_posts, budget_cases=budget_cases,
                 seeding_contracts=seeding, organic_winner_creators=organic_winners, rate_cases=rate_cases)


def _plant_content_cases(r: random.Random, creators: list[Creator], kept_apart: set[str]) -> list[str]:
    """Creators whose primary Instagram account gets organic winners: without a case and outside the cases kept
    apart (budget, seeding); about 1% of the creators, at least 2."""
    free = [c.creator_id for c in creators
            if c.case is None and c.creator_id not in kept_apart and c.primary.platform == "instagram"]
    return r.sample(free, min(len(free), max(2, round(len(creators) * 0.01))))


def _plant_audience_cases(r: random.Random, creators: list[Creator]) -> None:
    """Give AUDIENCE_CASES to Instagram creators without a case (stories exist on Instagram only)."""
    free = [c for c in creators if c.case is None and c.primary.platform == "instagram"]
    per_case = max(2, round(len(creators) * 0.02))
    for n, creator in enumerate(r.sample(free, min(len(free), per_case * len(AUDIENCE_CASES)))):
        creator.case = AUDIENCE_CASES[n // per_case]


def _plant_safety_cases(r: random.Random, creators: list[Creator]) -> None:
    """Give SAFETY_CASES to creators without a case (comment samples exist on every platform)."""
    free = [c for c in creators if c.case is None]
    per_case = max(2, round(len(creators) * 0.02))
    for n, creator in enumerate(r.sample(free, min(len(free), per_case * len(SAFETY_CASES)))):
        creator.case = SAFETY_CASES[n // per_case]


def _plant_budget_cases(r: random.Random, creators: list[Creator], campaigns: list[Campaign],
                        contracts: list[Contract], end: date) -> dict[str, str]:
    """BUDGET_CASES go to creators without a case, chosen by the orders their contracts are expected to bring (posts x
    followers x conversion) in the mart's recent and previous windows. Only flat fees change, so no order or post
    moves: the top performer's contracts are priced for a high return in both windows, the declining one's cheap
    before and dear now, and the one with too little data (a single recent contract expected to bring under 60% of
    the minimum orders) cheap, so only the minimum keeps it from being increased."""
    recent_start = end - timedelta(days=BUDGET_RECENT_DAYS - 1)
    start_of = {c.campaign_id: c.start for c in campaigns}
    by_creator: dict[str, list[Contract]] = {}
    for contract in contracts:
        by_creator.setdefault(contract.creator_id, []).append(contract)
    followers = {c.creator_id: c.primary.followers_start for c in creators}

    def expected_orders(k: Contract) -> float:
        return _expected_orders(k, followers[k.creator_id])

    def is_recent(k: Contract) -> bool:  # the middle of its posting span (DELIVERABLE_DAYS) is in the recent window
        return start_of[k.campaign_id] + timedelta(days=DELIVERABLE_DAYS // 2) >= recent_start

    def enough(k: Contract) -> bool:
        return expected_orders(k) >= 2 * BUDGET_MIN_ORDERS

    free = [c for c in creators if c.case is None and c.creator_id in by_creator]
    # A weekly YouTube cadence leaves no room for more posts, and a YouTube account is in review (_may_be_approved).
    both = [c for c in free if _may_be_approved(c)
            and any(is_recent(k) and enough(k) for k in by_creator[c.creator_id])
            and any(not is_recent(k) and enough(k) for k in by_creator[c.creator_id])]
    few = [c for c in free if len(by_creator[c.creator_id]) == 1 and is_recent(by_creator[c.creator_id][0])
           and expected_orders(by_creator[c.creator_id][0]) < 0.6 * BUDGET_MIN_ORDERS]
    per_case = max(1, round(len(creators) * 0.01))
    chosen = r.sample(both, min(len(both), 2 * per_case))
    top, declining = chosen[:per_case], chosen[per_case:]
    planted = [(c, "consistent_top_performer") for c in top] + [(c, "declining_performer") for c in declining]
    planted += [(c, "too_little_data") for c in r.sample(few, min(len(few), per_case))]
    for creator, case in planted:
        for k in by_creator[creator.creator_id]:
            # ROAS 6x before, 9x now (the top performer's rises a little, so noise in its order counts does not read
            # as a fall), except the declining one's, down to 1x now.
            roas = 6.0 if not is_recent(k) else 1.0 if case == "declining_performer" else 9.0
            _price_for_roas(k, expected_orders(k) * AOV_ESTIMATE, roas)
    return {creator.creator_id: case for creator, case in planted}


def _plant_seeding_cases(r: random.Random, creators: list[Creator], campaigns: list[Campaign],
                         contracts: list[Contract], skip: set[str]) -> list[Contract]:
    """SEEDING_CASE: a gifted-only contract (product and shipping; no fee, commission, bonus or amplification) for
    creators without a case, in a campaign whose dates miss the posting span of each of their contracts (so none of
    their sponsored posts counts for it), with a code and a link that nobody uses."""
    spans: dict[str, list[tuple[date, date]]] = {}
    for k in contracts:  # sponsored posts fall at most DELIVERABLE_DAYS after the code starts (SocialWriter)
        last = k.code_valid_from + timedelta(days=DELIVERABLE_DAYS)
        spans.setdefault(k.creator_id, []).append((k.code_valid_from, last))

    def open_campaigns(creator: Creator) -> list[Campaign]:
        return [c for c in campaigns
                if all(c.end < first or c.start > last for first, last in spans.get(creator.creator_id, []))]

    free = [c for c in creators if c.case is None and c.creator_id not in skip and open_campaigns(c)]
    used_codes = {k.code.lower() for k in contracts}
    used_links = {k.link_id.lower() for k in contracts}
    planted: list[Contract] = []
    for creator in r.sample(free, min(len(free), max(2, round(len(creators) * 0.02)))):
        campaign = r.choice(open_campaigns(creator))
        planted.append(Contract(
            contract_id=f"ct_{len(contracts) + len(planted) + 1:05d}",
            creator_id=creator.creator_id,
            campaign_id=campaign.campaign_id,
            currency="USD",
            flat_fee="0.00",
            gifted_units=r.randint(1, 3),
            unit_cost=f"{r.uniform(4, 12):.2f}",
            gift_shipping_cost=f"{r.choice((6.5, 9.0)):.2f}",
            commission_rate="0",
            bonus_threshold_net_revenue="",
            bonus_amount="",
            paid_amplification="0.00",
            code=_unique(f"{creator.name.split()[0].upper()}GIFT", used_codes),
            discount_percent=15,
            link_id=_unique(f"{creator.primary.handle.replace('.', '').replace('_', '')}-{campaign.campaign_id}",
                            used_links),
            code_valid_from=campaign.start,
            code_valid_to=campaign.end + timedelta(days=14),
            sponsored_posts=0,
            conversion=0.0,
        ))
    return planted


def _expected_orders(contract: Contract, followers: int) -> float:
    """Orders a contract's sponsored posts are expected to bring through its code or link."""
    return contract.sponsored_posts * followers / 1000 * contract.conversion * ATTRIBUTED_SHARE


def _plant_rate_cases(r: random.Random, creators: list[Creator], campaigns: list[Campaign], contracts: list[Contract],
                      end: date, days: int, kept_apart: set[str]) -> dict[str, str]:
    """RATE_CASES go to creators without a case outside the cases kept apart: the over- and under-priced ones among
    creators micro on every account from the first of the `days` to the last, every contract priced RATE_OVER_PER_POST
    or RATE_UNDER_PER_POST per sponsored post; the growing partner among creators vetting can approve with two
    campaigns, the first RATE_REVIEW_MIN_TENURE_DAYS or more before the end, each expected to bring twice
    RATE_REVIEW_MIN_ORDERS orders, priced for RATE_REVIEW_ROAS."""
    start_of = {c.campaign_id: c.start for c in campaigns}
    by_creator: dict[str, list[Contract]] = {}
    for contract in contracts:
        by_creator.setdefault(contract.creator_id, []).append(contract)
    followers = {c.creator_id: c.primary.followers_start for c in creators}
    # Only creators paid a commission or bonus: the customer-value cases (pipeline/generate/customer_value.py, planted
    # later) go to creators paid neither, so the fees moved here never move their choice.
    free = [c for c in creators if c.case is None and c.creator_id in by_creator and c.creator_id not in kept_apart
            and any(k.commission_rate != "0" or k.bonus_threshold_net_revenue for k in by_creator[c.creator_id])]
    # The partner first: few creators qualify (two campaigns, the tenure, the orders, no YouTube account), and a
    # micro creator priced off the card must not take the only one.
    partners = [c for c in free if _may_be_approved(c) and len({k.campaign_id for k in by_creator[c.creator_id]}) == 2
                and min(start_of[k.campaign_id] for k in by_creator[c.creator_id])
                <= end - timedelta(days=RATE_REVIEW_MIN_TENURE_DAYS)
                and all(_expected_orders(k, followers[c.creator_id]) >= 2 * RATE_REVIEW_MIN_ORDERS
                        for k in by_creator[c.creator_id])]
    partner = r.sample(partners, min(len(partners), 1))
    low, high = RATE_MICRO_FOLLOWERS
    micro = [c for c in free if c not in partner and all(
        low <= a.followers_start <= high
        and a.followers_start * math.exp(RATE_GROWTH_MARGIN * a.daily_growth * days) < MICRO_MAX_FOLLOWERS
        for a in c.accounts)]
    priced = r.sample(micro, min(len(micro), 2))
    planted = dict(zip([c.creator_id for c in priced], ("over_priced", "under_priced"), strict=False))
    planted |= {c.creator_id: "growing_partner" for c in partner}
    for creator_id, case in planted.items():
        ordered = sorted(by_creator[creator_id], key=lambda k: start_of[k.campaign_id])
        for n, k in enumerate(ordered):
            if case == "growing_partner":
                revenue = _expected_orders(k, followers[creator_id]) * AOV_ESTIMATE
                _price_for_roas(k, revenue, RATE_REVIEW_ROAS[min(n, 1)])
            else:
                per_post = RATE_OVER_PER_POST if case == "over_priced" else RATE_UNDER_PER_POST
                _set_flat_fee(k, per_post * k.sponsored_posts)
    return planted


def _may_be_approved(creator: Creator) -> bool:
    """Whether vetting can approve a genuine creator: not with a YouTube account, whose follower history starts ten
    days before the end (SocialWriter._write_snapshots), too short to rule out bought followers, so in review. The
    cases that must be increased or reviewed for a rate go to creators it can approve: the marts reward no one else."""
    return all(a.platform != "youtube" for a in creator.accounts)


def _price_for_roas(contract: Contract, expected_revenue: float, roas: float) -> None:
    """Set the flat fee (and drop commission, bonus and amplification) so the contract's cost is about
    expected_revenue / roas; the gifts stay as drawn."""
    gifts = contract.gifted_units * float(contract.unit_cost or 0) + float(contract.gift_shipping_cost)
    _set_flat_fee(contract, max(20.0, expected_revenue / roas - gifts))


def _set_flat_fee(contract: Contract, fee: float) -> None:
    """The contract pays this flat fee and no commission, bonus or amplification."""
    contract.flat_fee = f"{fee:.2f}"
    contract.commission_rate, contract.bonus_threshold_net_revenue, contract.bonus_amount = "0", "", ""
    contract.paid_amplification = "0.00"


def _plant_sample_cases(r: random.Random, creators: list[Creator]) -> None:
    """Give SAMPLE_CASES to creators without a case whose primary account can have a follower sample."""
    free = [c for c in creators if c.case is None and c.primary.platform in SAMPLED_PLATFORMS]
    per_case = max(2, round(len(creators) * 0.02))
    chosen = r.sample(free, min(len(free), per_case * len(SAMPLE_CASES)))
    for n, creator in enumerate(chosen):
        creator.case = SAMPLE_CASES[n // per_case]


def _set_exclusivity(r: random.Random, contracts: list[Contract]) -> None:
    """Give about EXCLUSIVE_SHARE of the contracts a skincare exclusivity clause around the campaign."""
    for contract in contracts:
        if r.random() < EXCLUSIVE_SHARE:
            contract.exclusivity_category = "skincare"
            contract.exclusivity_days_before = str(r.choice((0, 7, 14)))
            contract.exclusivity_days_after = r.choice(("", "30", "60"))  # empty: the campaign's dates only


def _plant_partner_cases(r: random.Random, creators: list[Creator], campaigns: list[Campaign],
                         contracts: list[Contract], earliest: date, end: date) -> list[CompetitorPost]:
    """PARTNER_CASES go to Instagram creators without a case (the posts arrive in a Meta Business Suite export):
    a competitor's sponsored post in the last year with no exclusivity clause to breach, or one inside the window
    of a clause given to one of the creator's contracts. A few genuine creators mention a competitor without a
    sponsorship marker, which must not count."""
    by_creator: dict[str, list[Contract]] = {}
    for contract in contracts:
        by_creator.setdefault(contract.creator_id, []).append(contract)
    free = [c for c in creators if c.case is None and c.primary.platform == "instagram" and c.creator_id in by_creator]
    per_case = max(2, round(len(creators) * 0.02))
    chosen = r.sample(free, min(len(free), per_case * (len(PARTNER_CASES) + 1)))
    start_of = {c.campaign_id: c.start for c in campaigns}
    end_of = {c.campaign_id: c.end for c in campaigns}
    last = end - timedelta(days=3)  # older than the 48 hours insights lag, inside the data
    posts = []
    for n, creator in enumerate(chosen):
        brand, category, handle, hashtag, keyword = r.choice(COMPETITORS)
        case = (*PARTNER_CASES, None)[n // per_case]
        contract_id = None
        if case == "exclusivity_breach":
            contract = r.choice(by_creator[creator.creator_id])
            contract.exclusivity_category = category
            contract.exclusivity_days_before, contract.exclusivity_days_after = "14", "30"
            window_end = min(last, end_of[contract.campaign_id] + timedelta(days=30))
            day = start_of[contract.campaign_id] + timedelta(
                days=r.randint(0, (window_end - start_of[contract.campaign_id]).days))
            contract_id = contract.contract_id
        else:
            if case == "competitor_partnership":
                for contract in by_creator[creator.creator_id]:  # nothing to breach: the post is a vetting risk only
                    contract.exclusivity_category = contract.exclusivity_days_before = ""
                    contract.exclusivity_days_after = ""
            day = earliest + timedelta(days=r.randint(0, (last - earliest).days))
        creator.case = case
        caption = _competitor_caption(r, creator, brand, handle, hashtag, keyword, sponsored=case is not None)
        posts.append(CompetitorPost(creator.creator_id, creator.primary, day, brand, caption, contract_id))
    return posts


def _plant_delivery_cases(r: random.Random, creators: list[Creator], campaigns: list[Campaign],
                          contracts: list[Contract], end: date) -> None:
    """DELIVERY_CASES go to creators without a case who have a contract due in the last year (the vetting window)
    whose due date has passed. The posts stay as they are; the contract_deliverables file written for them
    (pipeline/generate/deliverables.py) makes them late or missing."""
    start_of = {c.campaign_id: c.start for c in campaigns}
    due = {c.creator_id for c in contracts
           if end - timedelta(days=300) <= start_of[c.campaign_id] + timedelta(days=DELIVERABLE_DAYS) < end}
    free = [c for c in creators if c.case is None and c.creator_id in due]
    per_case = max(2, round(len(creators) * 0.02))
    chosen = r.sample(free, min(len(free), per_case * len(DELIVERY_CASES)))
    for n, creator in enumerate(chosen):
        creator.case = DELIVERY_CASES[n // per_case]


def _competitor_caption(r: random.Random, creator: Creator, brand: str, handle: str, hashtag: str, keyword: str,
                        sponsored: bool) -> str:
    if not sponsored:
        return f"Finally finished my old @{handle} cleanser, not buying it again. Sunday reset routine #skincare"
    code = f"{creator.name.split()[0].upper()}{r.choice((10, 15, 20))}"
    style = r.choice(("ad", "partnership", "gifted"))
    if style == "ad":
        return f"#ad My new favourite {keyword} from @{handle}. Use my code {code} for a discount! #{hashtag} #skincare"
    if style == "partnership":
        return f"Paid partnership with @{handle}. Trying the {keyword} for a week, honest thoughts below. #{hashtag}"
    return f"Morning routine featuring the {keyword} ({brand}) #gifted #{hashtag} #glowup"


def _account_id(platform: str, i: int, r: random.Random) -> str:
    if platform == "instagram":
        return str(17841400000000000 + (i + 1) * 7919)
    if platform == "tiktok":
        return "-000" + "".join(r.choice("0123456789abcdef") for _ in range(28))
    return "UC" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                          for _ in range(22))


def _campaigns(r: random.Random, scale: Scale, start: date, end: date) -> list[Campaign]:
    count = max(3, round(scale.campaigns_per_year * scale.days / 365))
    names = ("Spring Glow", "Summer SPF", "Back to Routine", "Holiday Gifting", "New Year Reset", "Body Care",
             "Travel Minis", "Starter Kit", "Eye Balm Launch", "Serum Relaunch", "Autumn Repair", "Lip Care")
    span = (end - start).days
    campaigns = []
    for k in range(count):
        # Campaigns start across the window but leave two weeks at the end for orders to arrive.
        offset = int((k + r.uniform(0, 0.6)) * max(1, span - 42) / count)
        length = r.randint(28, 49)
        c_start = start + timedelta(days=offset)
        c_end = min(end - timedelta(days=7), c_start + timedelta(days=length))
        campaigns.append(Campaign(f"cmp_{k + 1:03d}", f"{names[k % len(names)]} {c_start.year}", c_start, c_end))
    return campaigns


def _contracts(r: random.Random, creators: list[Creator], campaigns: list[Campaign]) -> list[Contract]:
    contracts: list[Contract] = []
    used_codes: set[str] = set()
    used_links: set[str] = set()
    for creator in creators:
        n = 1 if r.random() < 0.65 else 2
        if creator.case == "leaked_code":
            n = 1
        chosen = r.sample(campaigns, k=min(n, len(campaigns)))
        if creator.case == "leaked_code":
            chosen = [campaigns[0]]  # the earliest campaign leaves room for a long leak afterwards
        for campaign in sorted(chosen, key=lambda c: c.start):
            first = creator.name.split()[0].upper()
            pct = r.choice((10, 15, 15, 20))
            code = f"{first}{pct}"
            suffix = 1
            while code in used_codes:  # numeric suffixes: codes are matched case-insensitively
                suffix += 1
                code = f"{first}{pct}{suffix}"
            used_codes.add(code)
            followers = creator.primary.followers_start
            tier = tier_of(followers)
            fee = {"nano": r.uniform(80, 300), "micro": r.uniform(300, 1800), "macro": r.uniform(2000, 7000)}[tier]
            gifted = r.randint(1, 4)
            unit_cost = f"{r.uniform(4, 12):.2f}"
            commission = r.choice(("0", "0", "0.05", "0.10"))
            bonus_threshold, bonus = ("", "")
            if r.random() < 0.3:
                bonus_threshold, bonus = (f"{round(fee * 4, -2):.2f}", f"{round(fee * 0.25, -1):.2f}")
            flat_fee = f"{fee:.2f}"
            gift_shipping = f"{r.choice((0, 6.5, 9.0)):.2f}"
            amplification = f"{r.choice((0, 0, 0, 150, 400)):.2f}"
            if creator.case == "zero_cost_gifting":
                # Pure gifting where nobody recorded the COGS: the cost is zero and ROI is undefined.
                flat_fee, unit_cost, commission, bonus_threshold, bonus = ("0.00", "", "0", "", "")
                gift_shipping, amplification = ("0.00", "0.00")
            # A third of the codes stop before the campaign ends: "valid only part of the campaign".
            valid_to = campaign.end + timedelta(days=14)
            if creator.case == "leaked_code":
                valid_to = campaign.end + timedelta(days=120)  # evergreen codes are the ones that leak
            elif r.random() < 0.33:
                valid_to = campaign.start + timedelta(days=(campaign.end - campaign.start).days // 2)
            contracts.append(Contract(
                contract_id=f"ct_{len(contracts) + 1:05d}",
                creator_id=creator.creator_id,
                campaign_id=campaign.campaign_id,
                currency="USD",
                flat_fee=flat_fee,
                gifted_units=gifted,
                unit_cost=unit_cost,
                gift_shipping_cost=gift_shipping,
                commission_rate=commission,
                bonus_threshold_net_revenue=bonus_threshold,
                bonus_amount=bonus,
                paid_amplification=amplification,
                code=code,
                discount_percent=pct,
                link_id=_unique(f"{creator.primary.handle.replace('.', '').replace('_', '')}-{campaign.campaign_id}",
                                used_links),
                code_valid_from=campaign.start,
                code_valid_to=valid_to,
                sponsored_posts=r.randint(2, 4),
                conversion=math.exp(r.gauss(math.log(0.35), 0.5)),
            ))
    return contracts


# Budget / planned spend, by campaign in turn: some campaigns stay under budget, one goes over.
BUDGET_FACTORS = (1.25, 1.1, 0.9, 1.5)


def _set_budgets(campaigns: list[Campaign], contracts: list[Contract]) -> None:
    """A budget in USD for every campaign but the last (which shows a campaign without one): the planned spend
    (fees, gifts, shipping, amplification) times a factor, rounded to hundreds. Derived, not drawn, so the random
    streams of everything else stay as they were."""
    for k, campaign in enumerate(campaigns[:-1]):
        planned = sum(float(c.flat_fee) + c.gifted_units * float(c.unit_cost or 0) + float(c.gift_shipping_cost)
                      + float(c.paid_amplification) for c in contracts if c.campaign_id == campaign.campaign_id)
        campaign.budget = f"{max(100.0, round(planned * BUDGET_FACTORS[k % len(BUDGET_FACTORS)], -2)):.2f}"


def _unique(candidate: str, used: set[str]) -> str:
    """A tracking id nobody else has (ids are matched case-insensitively)."""
    value, n = candidate, 1
    while value.lower() in used:
        n += 1
        value = f"{candidate}{n}"
    used.add(value.lower())
    return value
