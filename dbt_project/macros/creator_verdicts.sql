{#- One vetting verdict per creator, as a subquery: the worst of their accounts' in creator_vetting (reject over
    review over approve), so a creator rejected on one platform is not paid more for their work on another. The marts
    that advise on spend and rates join it; the weekly report shows the same per-creator verdict. -#}
{% macro creator_verdicts() -%}
    (
        select
            creator_id,
            case max(case verdict when 'reject' then 3 when 'review' then 2 when 'approve' then 1 end)
                when 3 then 'reject'
                when 2 then 'review'
                when 1 then 'approve'
            end as vetting_verdict
        from {{ ref('creator_vetting') }}
        group by 1
    )
{%- endmacro %}
