-- Engagement rate, reach per follower and attributed revenue by content format (seed content_formats), per platform
-- and tier, per platform over all tiers and over the programme; the best format of each is the one with the highest
-- median engagement index among cells with at least var content_min_posts posts (macro content_performance_cells).
{{ content_performance_cells(['content_format', 'format_label']) }}
