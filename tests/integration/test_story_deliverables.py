"""Story deliverables in the sample (seed 7): a contract that asks for Instagram stories is delivered by the stories
its creator's account posted inside the contract's dates, matched by account and dates alone (weaker evidence,
counted apart); a story counts for one contract only; a planted contract whose creator posted no story is missing."""

from __future__ import annotations


def test_planted_story_deliverables_are_matched_by_account_and_dates(truth: dict, con) -> None:
    planted = truth["contract_deliverables"]["story_deliverables"]
    assert any(p["status"] == "delivered" for p in planted), "scale S plants a delivered story deliverable"
    for p in planted:
        status, due, on_time, missing, by_dates = con.execute("""
            select delivery_status, posts_due, posts_on_time, posts_missing, posts_matched_by_dates
            from marts.contract_deliverables where contract_id = ? and deliverable_format = 'instagram_story'""",
                                                              [p["contract_id"]]).fetchone()
        if p["status"] == "delivered":
            assert (status, due, on_time, missing, by_dates) == ("delivered", p["posts"], p["posts"], 0, p["posts"])
        else:
            assert (status, missing, by_dates) == ("missing", p["posts"], 0)
    # Each story that delivered a unit is a story of the contract creator's own Instagram account, inside the dates.
    units = con.execute("""
        select u.contract_id, u.post_id, u.match_basis, a.creator_id is not null as is_own_story
        from intermediate.int_contract_deliverable_units as u
        left join intermediate.int_instagram_stories as s on u.post_id = s.media_id
        left join intermediate.int_creator_accounts as a
            on a.platform = 'instagram' and a.account_id = s.account_id and a.creator_id = u.creator_id
        where u.deliverable_format = 'instagram_story' and u.post_id is not null""").fetchall()
    assert units and all(basis == "account_and_dates" and own for _, _, basis, own in units), units
    assert len({post for _, post, *_ in units}) == len(units), "a story counts for one contract only"


def test_only_stories_are_matched_by_dates_alone(con) -> None:
    wrong = con.execute("""
        select count(*) from marts.contract_deliverables
        where posts_matched_by_dates > 0 and deliverable_format <> 'instagram_story'""").fetchone()[0]
    assert wrong == 0
