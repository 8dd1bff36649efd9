"""The report's sentences for planted situations: a leak of an ended campaign, a rejected creator among the top five,
creators in review named, counts with the right plural. Figures are planted in ReportData directly (fast; the
figures' SQL is tested against a real serving file in test_report.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import yaml

from serve.report import summary, words
from serve.report.data import (
    Breach,
    Campaign,
    ContentBest,
    CreatorCampaign,
    CustomerValue,
    Deliverable,
    Leak,
    Mover,
    OrganicWinner,
    RateFlag,
    Recommendation,
    ReportData,
    SeedingCampaign,
    ToDate,
    Totals,
    Vetted,
)
from serve.report.week import ReportWeek

WEEK = ReportWeek(date(2026, 11, 9), "Europe/London")
REFERENCE = summary.load_references()[0]


def _creator(creator_id: str, name: str, **kw) -> CreatorCampaign:
    base = dict(creator_id=creator_id, creator_name=name, campaign_name="Autumn 2026",
                campaign_end_date=date(2026, 12, 1), verdict="approve", orders=10, net_revenue=Decimal("1000.00"),
                creator_cost=Decimal("100.00"), roi=9.0, roi_pct=900.0, roas=10.0, roi_null_reason=None,
                is_code_leak_suspected=False, two_code_orders=0, week_net_revenue=Decimal("0.00"))
    return CreatorCampaign(**(base | kw))


def _data(**kw) -> ReportData:
    base = dict(
        week=WEEK, serving_version="v1", published_at=datetime(2026, 11, 16, 3, tzinfo=UTC), currency="USD",
        orders_through=date(2026, 11, 15), this_week=Totals(Decimal("1000.00"), 10, 9),
        last_week=Totals(Decimal("2000.00"), 20, 18), to_date=ToDate(Decimal("100.00"), Decimal("500.00")),
        to_date_last_week=ToDate(Decimal("100.00"), Decimal("400.00")),
        campaigns=[Campaign("Autumn 2026", date(2026, 10, 1), date(2026, 12, 1), Decimal("100.00"),
                            Decimal("500.00"), 4.0)],
        creators=[_creator("cr_1", "Ada")], vetted=[], verdicts={"approve": 1}, key_reasons=[], trend=[], leaks=[],
        mover=None)
    return ReportData(**(base | kw))


def test_plurals_and_name_lists_read_as_english() -> None:
    assert summary.plural(1, "order") == "1 order"
    assert summary.plural(2, "order") == "2 orders"
    assert summary.plural(0, "creator") == "0 creators"
    assert summary.names(["Ada"]) == "Ada"
    assert summary.names(["Ada", "Bo"]) == "Ada and Bo"
    assert summary.names(["A", "B", "C", "D", "E", "F", "G"]) == "A, B, C, D, E and 2 more"


def test_the_headline_gives_the_week_the_change_and_roi_beside_roas() -> None:
    first, second, *_ = summary.headline(_data(), REFERENCE)
    assert first == ("In week 2026-W46 (9-15 Nov 2026) creators brought 1,000 USD of attributed net revenue from 10 "
                     "orders, 50.0% down on the week before (2,000 USD).")
    assert "ROI 400.0% and ROAS 5.00×" in second and "a week earlier ROI 300.0%, ROAS 4.00×" in second
    assert "industry ROAS of 5.20×" in second, "the reference is revenue per unit of spend: compared with ROAS only"


def test_one_order_is_singular() -> None:
    first = summary.headline(_data(this_week=Totals(Decimal("80.00"), 1, 1)), REFERENCE)[0]
    assert "from 1 order," in first and "1 orders" not in first


def test_a_leak_of_an_ended_campaign_makes_the_headline() -> None:
    leak = Leak("Spring Glow 2026", date(2026, 8, 30), "Jonas Rossi, Tara Fischer", 29, Decimal("996.00"), True)
    creators = [_creator("cr_13", "Jonas Rossi", is_code_leak_suspected=True),
                _creator("cr_48", "Tara Fischer", is_code_leak_suspected=True)]
    sentences = summary.headline(_data(leaks=[leak], creators=creators), REFERENCE)
    assert ("99.6% of this week's attributed net revenue (996 USD) came from leaked codes: used with no sponsored "
            "post by the creator in the 30 days before, for Spring Glow 2026, which ended on 30 Aug 2026 "
            "(Jonas Rossi and Tara Fischer).") in sentences
    assert sentences[-1] == "Needs a decision: 2 suspected code leaks (Jonas Rossi and Tara Fischer)."


def test_a_small_leak_stays_out_of_the_headline_but_is_flagged() -> None:
    leak = Leak("Autumn 2026", date(2026, 12, 1), "Ada", 1, Decimal("50.00"), False)
    data = _data(leaks=[leak], creators=[_creator("cr_1", "Ada", is_code_leak_suspected=True)])
    assert not any("leaked codes" in s for s in summary.headline(data, REFERENCE))
    assert [(f.title, f.count) for f in summary.flags(data)] == [("Suspected code leaks", "1 code")]


def test_a_rejected_creator_in_the_top_five_is_marked_and_a_paid_one_needs_a_decision() -> None:
    creators = [_creator("cr_1", "Ada"), _creator("cr_2", "Hugo", verdict="reject", roi=20.0, roas=21.0,
                                                  week_net_revenue=Decimal("40.00"))]
    data = _data(creators=creators, vetted=[Vetted("cr_2", "Hugo", "reject", "instagram", "audience outside", 0)])
    top = summary.top_by_roi(data)
    assert [(c.creator_name, c.verdict) for c in top] == [("Hugo", "reject"), ("Ada", "approve")]
    assert summary.headline(data, REFERENCE)[-1] == "Needs a decision: 1 rejected creator still being paid (Hugo)."
    assert summary.flags(data)[0].title == "Rejected creators still being paid", "the worst kind comes first"


def test_the_top_five_ranks_only_creators_with_enough_orders() -> None:
    """A creator with one order fewer than the minimum is left out however high its ROI; the minimum is the one the
    budget recommendations judge on (dbt var budget_min_orders), so the two never disagree on who is a top performer."""
    lucky = _creator("cr_9", "Lucky", orders=summary.TOP_MIN_ORDERS - 1, roi=50.0)
    steady = _creator("cr_1", "Steady", orders=summary.TOP_MIN_ORDERS, roi=3.0)
    assert [c.creator_name for c in summary.top_by_roi(_data(creators=[lucky, steady]))] == ["Steady"]
    project = yaml.safe_load((Path(__file__).parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    assert project["vars"]["budget_min_orders"] == summary.TOP_MIN_ORDERS

def test_creators_in_review_are_named_with_their_reasons() -> None:
    vetted = [Vetted("cr_3", "Zoe", "review", "tiktok", "no audience geography data", 0),
              Vetted("cr_4", "Sam", "review", "instagram", "2 of 2 sponsored posts carry no #ad", 2)]
    data = _data(vetted=vetted)
    assert summary.headline(data, REFERENCE)[-1] == (
        "Needs a decision: 1 creator with undisclosed ads (Sam); 2 creators in review (Zoe and Sam).")
    review = next(f for f in summary.flags(data) if f.title == "Creators in review")
    assert review.count == "2 creators" and ("Zoe", "TikTok", "no audience geography data") in review.rows


def test_orders_with_two_codes_are_one_aggregated_flag_with_plurals() -> None:
    creators = [_creator(f"cr_{i}", f"C{i}", two_code_orders=1) for i in range(23)]
    creators[0] = dataclasses.replace(creators[0], two_code_orders=6)
    (flag,) = summary.flags(_data(creators=creators))
    assert (flag.title, flag.count) == ("Orders with two creator codes", "28 orders (23 contracts)")
    (one,) = summary.flags(_data(creators=creators[1:2]))
    assert one.count == "1 order (1 contract)"


def test_the_biggest_change_says_why() -> None:
    def why(**kw) -> str:
        mover = Mover(**(dict(creator_name="Ada", net_revenue=Decimal("100"), change=Decimal("-900"),
                              leaked_change=Decimal("0"), views=1000, median_views=1000.0, posts=2,
                              posts_prev_2_weeks=3, posts_before=10, leak_suspected=False) | kw))
        return next(s for s in summary.headline(_data(mover=mover), REFERENCE) if s.startswith("The biggest change"))

    # a leak only where creator_roi suspects one: the sentence never calls a leak what the mart does not
    assert why(leaked_change=Decimal("-800")).endswith("mostly in orders with a code and no recent sponsored post.")
    assert why(leaked_change=Decimal("-800"), leak_suspected=True).endswith(
        "mostly in orders with a code and no recent sponsored post (flagged as a suspected code leak).")
    assert why(change=Decimal("900"), net_revenue=Decimal("1900"), views=9000) == (
        "The biggest change: Ada's net revenue rose by 900 USD to 1,900 USD, after posts that drew 9,000 views, "
        "9× their usual week.")
    assert why(posts=0, posts_prev_2_weeks=0).endswith("after three weeks without a post.")
    assert why().endswith("with no leak, viral post or posting gap behind it in the data.")


def test_nothing_to_decide_is_said_plainly() -> None:
    assert summary.headline(_data(), REFERENCE)[-1] == "Nothing needs a decision this week."
    assert summary.flags(_data()) == []


def _move(name: str, recommendation: str, change: str | None, effect: str | None) -> Recommendation:
    return Recommendation(name, recommendation, 40, 3.1, None if change is None else Decimal(change),
                          None if effect is None else Decimal(effect), f"{name}: {recommendation}.")


def test_the_budget_section_sums_the_moves_and_counts_the_rest() -> None:
    budget = [_move("Ada", "increase", "900.00", "8100.00"), _move("Bo", "replace", "-600.00", "-300.00"),
              _move("Cy", "cut", "-300.00", "-450.00"), _move("Di", "keep", "0.00", "0.00"),
              _move("Ed", "insufficient_data", None, None), _move("Fa", "insufficient_data", None, None)]
    section = summary.budget_section(_data(budget=budget))
    assert [m.creator_name for m in section.moves] == ["Ada", "Bo", "Cy"]
    assert section.summary == ("Cutting or replacing 2 creators frees 900 USD a month; 900 USD of it fits the room for "
                               "more sponsored posts of 1 top performer. If recent returns hold, net revenue changes "
                               "by +7,350 USD a month.")
    assert section.others == "1 creator kept as they are; 2 creators with too few recent orders to judge."
    nothing = summary.budget_section(_data(budget=[_move("Ed", "insufficient_data", None, None)]))
    assert not nothing.moves and nothing.summary == "No creator's recent return is clear enough to move budget."


def test_missing_and_late_contract_posts_say_how_many_of_how_many() -> None:
    d = _data(deliverables=[
        Deliverable("Ada", "Autumn 2026", "instagram_reel", date(2026, 11, 1), "missing", 3, 2, 0, None),
        Deliverable("Bo", "Autumn 2026", "tiktok_video", date(2026, 10, 20), "late", 2, 0, 1, 1)])
    flag = next(f for f in summary.flags(d) if f.title.startswith("Contract posts missing or late"))
    assert flag.count == "2 deliverables"
    assert flag.rows == [("Ada", "Autumn 2026", "Instagram Reel", "1 Nov 2026", "missing", "2 of 3 not posted"),
                         ("Bo", "Autumn 2026", "TikTok video", "20 Oct 2026", "late", "1 of 2 late, up to 1 day")]
    assert not any(f.title.startswith("Contract posts missing or late") for f in summary.flags(_data()))


def _value(name: str, rank: int | None, rate: float | None, each: str | None, cpa: str | None,
           ratio: float | None) -> CustomerValue:
    return CustomerValue(name, 40, 30, 10, rate, None if each is None else Decimal(each),
                         None if cpa is None else Decimal(cpa), ratio, rank, f"{name}.", 60)


def test_the_customer_value_section_names_the_best_and_the_last_and_counts_the_unranked() -> None:
    values = [_value("Ada", 1, 0.92, "240.00", "30.00", 8.0), _value("Bo", 2, 0.05, "45.00", "25.00", 1.8),
              _value("Cy", None, None, None, "20.00", None)]
    section = summary.customer_value_section(_data(customer_value=values))
    assert [c.creator_name for c in section.ranked] == ["Ada", "Bo"]
    assert section.summary == ("Ada's new customers bring the most for what they cost: 92.0% ordered again within 60 "
                               "days, 240 USD each against a CPA of 30 USD (8.00×). Last of 2 ranked: Bo, 5.0% came "
                               "back (1.80×)."), "the mart's window (a dbt var), not a copy of its 90-day default"
    assert section.others.startswith("1 creator with new customers not ranked yet (too few whose 60 days are over")
    nothing = summary.customer_value_section(_data(customer_value=[values[2]]))
    assert not nothing.ranked and nothing.summary.startswith("No creator has enough new customers whose first 60 days")
    none = summary.customer_value_section(_data())
    assert none.days is None and none.summary == "No creator has brought a new customer through a code or link yet."


def test_ctr_and_cvr_say_no_data_never_zero_and_name_the_references() -> None:
    assert summary.ctr(None) == summary.rate(None) == "no data"
    assert summary.rate(0.0) == "0.0%", "a real 0% (sessions but no order) stays 0%"
    assert summary.ctr(0.012) == "1.2%"
    assert summary.ctr(0.02) == "2.0% (strong)"
    assert summary.ctr(0.061) == "6.1% (exceptional)"


def test_exclusivity_breaches_are_listed_with_their_post_as_evidence() -> None:
    d = _data(breaches=[
        Breach("Ada", "Autumn 2026", "Solara", date(2026, 11, 3), "https://www.instagram.com/p/ABC/",
               date(2026, 9, 1), date(2026, 12, 31)),
        Breach("Bo", "Autumn 2026", "GlowCo, Solara", date(2026, 10, 1), "tiktok post 7365", date(2026, 9, 1),
               date(2026, 11, 30))])
    flag = next(f for f in summary.flags(d) if f.title.startswith("Exclusivity breaches"))
    assert flag.count == "2 posts"
    assert flag.rows == [
        ("Ada", "Autumn 2026", "Solara", "3 Nov 2026",
         "https://www.instagram.com/p/ABC/, inside the exclusivity window 1 Sep 2026 to 31 Dec 2026"),
        ("Bo", "Autumn 2026", "GlowCo, Solara", "1 Oct 2026",
         "TikTok post 7365, inside the exclusivity window 1 Sep 2026 to 30 Nov 2026")]
    assert not any(f.title.startswith("Exclusivity breaches") for f in summary.flags(_data()))


def test_the_seeding_section_gives_the_post_rate_names_who_did_not_post_and_keeps_emv_apart_from_revenue() -> None:
    campaigns = [
        SeedingCampaign("Autumn 2026", 3, 2, 2 / 3, 4.0, Decimal("90.00"), Decimal("30.00"), Decimal("812.40"),
                        Decimal("1500.00"), ["Cy"]),
        SeedingCampaign("Spring 2026", 1, 0, 0.0, None, Decimal("20.00"), None, Decimal("0.00"), Decimal("0.00"),
                        ["Di"])]
    section = summary.seeding_section(_data(seeding=campaigns))
    assert section.campaigns == campaigns
    assert section.summary == ("2 of 4 gifted creators posted about the gift (50.0%). Not posted: Cy and Di; follow up "
                               "once, then stop gifting them. Their codes and links brought 1,500 USD of net revenue; "
                               "their posts' earned media value is 812 USD, what the views and engagements would have "
                               "cost as ads (a convention, not revenue).")
    everyone = summary.seeding_section(_data(seeding=[dataclasses.replace(campaigns[0], creators_posted=3,
                                                                          not_posted=[])]))
    assert "Not posted" not in everyone.summary and everyone.summary.startswith("3 of 3 gifted creators posted")
    nothing = summary.seeding_section(_data())
    assert nothing.campaigns == [] and nothing.summary == "No creator was gifted product without a fee or commission."


def test_the_rate_section_counts_the_flags_names_the_reviews_and_never_counts_unknown_as_in_range() -> None:
    flagged = [RateFlag("Ada", "Autumn 2026", "over_priced", Decimal("2000.00"), Decimal("100.00"), Decimal("500.00"),
                        "Pays USD 2,000 per deliverable...")]
    section = summary.rate_section(_data(rate_flags=flagged, rate_counts={"over_priced": 1, "in_range": 3,
                                                                          "unknown": 2},
                                         rate_reviews=[("Bo", "2 campaigns over 104 days; ...")]))
    assert section.summary == ("1 contract over-priced and 0 contracts under-priced (at risk of leaving) against the "
                               "market rate card for the creator's platform, tier and formats. 1 long-term partner "
                               "whose performance grew: review the rate before the next contract.")
    assert section.flagged == [dataclasses.replace(flagged[0], rate_flag="over-priced")]
    assert section.reviews == [("Bo", "2 campaigns over 104 days; ...")]
    assert section.others.startswith("3 contracts within the range; 2 contracts not judged")
    assert "never counted as in range" in section.others
    many = summary.rate_section(_data(rate_flags=flagged * 12, rate_counts={"over_priced": 12}))
    assert len(many.flagged) == summary.RATE_FLAGS_SHOWN == 10
    assert many.others.startswith("2 more flagged contracts on the dashboard's Rate fairness page. 0 contracts within")
    fair = summary.rate_section(_data(rate_counts={"in_range": 2, "unknown": 1}))
    assert fair.summary == "Every contract that can be judged is priced within the market rate card."
    nothing = summary.rate_section(_data(rate_counts={"unknown": 1}))
    assert nothing.summary == "No contract could be judged against the market rate card yet.", "none judged: no verdict"
    assert nothing.others.startswith("0 contracts within the range; 1 contract not judged")


def _winner(name: str, index: float) -> OrganicWinner:
    return OrganicWinner(name, "instagram", "Reel", date(2026, 11, 2), f"https://www.instagram.com/p/{name}/", index,
                         12_000, False)


def test_the_content_section_names_the_best_format_and_time_and_the_organic_winners() -> None:
    formats = [ContentBest("all", "Reel", 840, 1.18), ContentBest("instagram", "Carousel", 300, 1.25),
               ContentBest("tiktok", "TikTok video", 900, 1.0)]
    hours = [ContentBest("all", "Tuesday 18:00", 41, 1.37), ContentBest("instagram", "Sunday 14:00", 24, 1.22)]
    winners = [_winner(f"C{n}", 9.0 - n * 0.1) for n in range(12)]
    section = summary.content_section(_data(best_formats=formats, best_times=hours, organic_winners=winners))
    assert section.summary == ("For the programme, the Reel format engages most: 1.18× their creators' usual (median "
                               "over 840 posts); the best time to post is Tuesday 18:00 on the audience's clock (1.37× "
                               "over 41 posts). 12 recent posts engaged far above their account's usual: ask their "
                               "creators for the rights to run them as ads, best first.")
    assert section.per_platform == [("Instagram", "Carousel", "Sunday 14:00"),
                                    ("TikTok", "TikTok video", "not enough posts")]
    assert [w.creator_name for w in section.winners] == [f"C{n}" for n in range(summary.ORGANIC_WINNERS_SHOWN)]


def test_without_enough_posts_no_format_or_time_is_named() -> None:
    section = summary.content_section(_data())
    assert section.summary == "No format or posting time has enough posts to be named best yet."
    assert not section.per_platform and not section.winners


def test_every_code_a_reader_sees_becomes_words() -> None:
    """Formats, platforms, campaign and contract ids, rate flags, verdicts and undefined-ROI reasons in words; the
    marts' pointers to marts and seeds become what a reader opens."""
    d = _data(campaign_names={"cmp_001": "Spring Glow 2026"},
              contract_campaigns={"ct_1": "Spring Glow 2026", "ct_2": "Autumn 2026"},
              vetted=[Vetted("cr_3", "Zoe", "review", "instagram, youtube",
                             "2 of 6 contract posts were never posted (contracts ct_1, ct_2); check the "
                             "contract_deliverables mart; exclusivity of contract ct_1 (campaign cmp_001, 7 Jul); "
                             "0.8 posts a week (youtube expects 1); see https://www.instagram.com/p/1/ "
                             "@tiktok_fan", 0)],
              creators=[_creator("cr_1", "Ada", roi=None, roi_pct=None, roas=None,
                                 roi_null_reason="zero_cost_gift_cogs_not_recorded")],
              rate_flags=[RateFlag("Bo", "Autumn 2026", "under_priced", Decimal("5.00"), Decimal("100.00"),
                                   Decimal("500.00"), "Pays USD 5 per deliverable (1 instagram_post, "
                                                      "3 instagram_reel)")])
    review = next(f for f in summary.flags(d) if f.title == "Creators in review")
    assert review.rows == [("Zoe", "Instagram, YouTube",
                            "2 of 6 contract posts were never posted (the Spring Glow 2026 and Autumn 2026 "
                            "contracts); check the contract posts on the dashboard's Campaigns page; exclusivity of "
                            "the Spring Glow 2026 contract (campaign Spring Glow 2026, 7 Jul); 0.8 posts a week "
                            "(YouTube expects 1); see https://www.instagram.com/p/1/ @tiktok_fan")], \
        "links and handles stay as they are"
    no_cost = next(f for f in summary.flags(d) if f.title.startswith("ROI undefined"))
    assert no_cost.rows == [("Ada", "Autumn 2026", "no cost: the gift product cost was not recorded")]
    [flag] = summary.rate_section(d).flagged
    assert flag.rate_flag == "under-priced" and flag.reason.endswith("(1 Instagram post, 3 Instagram Reels)")
    assert [words.verdict(v) for v in ("approve", "review", "reject")] == ["approved", "in review", "rejected"]


def test_roi_is_a_percentage_and_roas_a_multiple_and_the_glossary_says_so() -> None:
    """The marts write the reasons in the report's notation (budget_recommendations' ROI as a percentage, rate_review's
    ROAS as ×: tests/integration/test_planted_cases.py checks them): the report passes them through."""
    budget = [Recommendation("Ada", "increase", 36, 3.8, Decimal("2195.62"), Decimal("9000.00"),
                             "ROI 380% (-10% to 560%) over 36 orders, rising (+95% ROAS): increase - USD 2,196.")]
    [move] = summary.budget_section(_data(budget=budget)).moves
    assert move.reason == "ROI 380% (-10% to 560%) over 36 orders, rising (+95% ROAS): increase - USD 2,196."
    glossary = dict(summary.glossary(_data(), [REFERENCE]))
    assert glossary["ROI"].startswith("(net revenue - cost) / cost, always as a percentage")
    assert glossary["ROAS"].startswith("net revenue / cost, always as a multiple")


def test_a_campaign_over_its_budget_needs_a_decision() -> None:
    def campaign(name: str, budget: str | None, share: float | None) -> Campaign:
        return Campaign(name, date(2026, 7, 1), date(2026, 8, 30), Decimal("6600.00"), Decimal("9500.00"), 0.44,
                        None if budget is None else Decimal(budget), share)

    d = _data(campaigns=[campaign("Spring Glow 2026", "3290.00", 2.02), campaign("Summer SPF 2026", "6600.00", 1.0),
                         campaign("Autumn 2026", None, None), campaign("Winter 2026", "5000.00", 1.32)])
    assert "2 campaigns over budget (Spring Glow 2026 at 202.0% of its budget and Winter 2026 at 132.0% of its " \
           "budget)" in summary.headline(d, REFERENCE)[-1], "exactly 100% is on budget, none set is never over"
    flag = next(f for f in summary.flags(d) if f.title == "Campaigns over budget")
    assert flag.count == "2 campaigns" and "raise its budget" in flag.action
    assert flag.rows == [("Spring Glow 2026", "3,290.00", "6,600.00", "202.0%"),
                         ("Winter 2026", "5,000.00", "6,600.00", "132.0%")]
    assert not any(f.title == "Campaigns over budget" for f in summary.flags(_data()))


def test_the_window_of_the_listed_contract_posts_and_breaches_is_the_datas() -> None:
    d = _data(findings_weeks=8, deliverables=[
        Deliverable("Ada", "Autumn 2026", "instagram_reel", date(2026, 11, 1), "missing", 3, 2, 0, None)],
        breaches=[Breach("Bo", "Autumn 2026", "Solara", date(2026, 11, 3), "https://www.instagram.com/p/ABC/",
                         date(2026, 9, 1), date(2026, 12, 31))])
    titles = [f.title for f in summary.flags(d)]
    assert "Contract posts missing or late (due in the last 8 weeks)" in titles
    assert "Exclusivity breaches (posted in the last 8 weeks)" in titles
    assert dict(summary.glossary(d, [REFERENCE]))["Recent findings"] == (
        "contract posts due, and exclusivity breaches posted, in the last 8 weeks to 15 Nov 2026.")


def test_amounts_in_yen_or_won_have_no_cents_in_the_tables_and_the_templates() -> None:
    from serve.report import build

    over = Campaign("Seoul launch", date(2026, 7, 1), date(2026, 8, 30), Decimal("1500000.00"),
                    Decimal("4000000.00"), 1.7, Decimal("1000000.00"), 1.5)
    [flag] = [f for f in summary.flags(_data(currency="KRW", campaigns=[over])) if f.title == "Campaigns over budget"]
    assert flag.rows == [("Seoul launch", "1,000,000", "1,500,000", "150.0%")]
    template = build._MARKDOWN.from_string("{{ value | amount }}")
    assert template.render(d=_data(currency="KRW"), value=Decimal("1377000.00")) == "1,377,000"
    assert template.render(d=_data(currency="JPY"), value=Decimal("45000.40")) == "45,000"
    assert template.render(d=_data(currency="USD"), value=Decimal("2645.55")) == "2,645.55"
