-- Engagement rate, reach per follower and attributed revenue by posting weekday x hour on the audience's clock
-- (int_account_time_zones), per platform and tier, per platform over all tiers and over the programme; the best time of
-- each is the cell with the highest median engagement index among cells with at least var content_min_posts posts
-- (macro content_performance_cells).
{{ content_performance_cells(['local_weekday', 'local_weekday_name', 'local_hour']) }}
