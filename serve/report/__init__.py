"""The weekly report a stakeholder reads in two minutes: a headline summary generated from the numbers, the flags
by kind (worst first), four charts, and an appendix; as an HTML email with the PDF attached.

``build_report`` writes it from the serving file (never the warehouse); ``delivery.deliver_report`` sends it.
"""

from serve.report.build import ReportFiles, build_report
from serve.report.week import ReportWeek, StaleServing

__all__ = ["ReportFiles", "ReportWeek", "StaleServing", "build_report"]
