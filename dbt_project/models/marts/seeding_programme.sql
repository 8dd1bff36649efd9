-- The gifting programme per campaign, summed from seeding_performance (so the two never disagree): how many gifted
-- creators posted (post rate), how soon, what the gifts cost per post, the earned media value and the sales.
with seeding as (select * from {{ ref('seeding_performance') }})

select
    campaign_id,
    any_value(campaign_name) as campaign_name,
    min(campaign_start_date) as campaign_start_date,
    max(campaign_end_date) as campaign_end_date,
    any_value(reporting_currency) as reporting_currency,
    count(*) as creators_gifted,
    count(*) filter (where has_posted) as creators_posted,
    round(count(*) filter (where has_posted) / count(*), 4) as post_rate,
    median(days_to_first_post) as median_days_to_first_post,
    cast(sum(posts) as bigint) as posts,
    sum(gift_cost) as gift_cost,
    count(*) filter (where is_gift_cost_missing) as creators_gift_cost_missing,
    -- Every gift counts, including those that brought no post: that is what seeding costs per post. Null without a
    -- post, or when a gift's product cost was not recorded (the total would be too low).
    case
        when not bool_or(is_gift_cost_missing) then {{ money_share('sum(gift_cost)', 1, 'sum(posts)') }}
    end as cost_per_post,
    sum(emv) as emv,
    cast(sum(orders) as bigint) as orders,
    sum(net_revenue) as net_revenue
from seeding
group by campaign_id
