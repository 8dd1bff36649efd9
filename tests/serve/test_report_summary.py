"""The report's sentences for planted situations: a leak of an ended campaign, a rejected creator among the top five,
creators in review named, counts with the right plural. Figures are planted in ReportData directly (fast; the
figures' SQL is tested against a real serving file in test_report.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from serve.report import summary
from serve.report.data import (
    Campaign,
    CreatorCampaign,
    Deliverable,
    Leak,
    Mover,
    Recommendation,
    ReportData,
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


def test_creators_in_review_are_named_with_their_reasons() -> None:
    vetted = [Vetted("cr_3", "Zoe", "review", "tiktok", "no audience geography data", 0),
              Vetted("cr_4", "Sam", "review", "instagram", "2 of 2 sponsored posts carry no #ad", 2)]
    data = _data(vetted=vetted)
    assert summary.headline(data, REFERENCE)[-1] == (
        "Needs a decision: 1 creator with undisclosed ads (Sam); 2 creators in review (Zoe and Sam).")
    review = next(f for f in summary.flags(data) if f.title == "Creators in review")
    assert review.count == "2 creators" and ("Zoe", "tiktok", "no audience geography data") in review.rows


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
                              posts_prev_2_weeks=3, posts_before=10) | kw))
        return next(s for s in summary.headline(_data(mover=mover), REFERENCE) if s.startswith("The biggest change"))

    assert why(leaked_change=Decimal("-800")).endswith("mostly in orders with a code and no recent sponsored post "
                                                       "(a leaked code).")
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
    flag = next(f for f in summary.flags(d) if f.title == "Contract posts missing or late")
    assert flag.count == "2 deliverables"
    assert flag.rows == [("Ada", "Autumn 2026", "instagram reel", "1 Nov 2026", "missing", "2 of 3 not posted"),
                         ("Bo", "Autumn 2026", "tiktok video", "20 Oct 2026", "late", "1 of 2 late, up to 1 day")]
    assert not any(f.title == "Contract posts missing or late" for f in summary.flags(_data()))
