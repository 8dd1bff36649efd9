"""Great Expectations suites (as code) and the quality gate that blocks a bad batch from being published."""
