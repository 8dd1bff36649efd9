"""The Streamlit dashboard over the published marts: programme overview, creator leaderboard, creator detail,
campaigns and data status. ``app.py`` is the Streamlit script, ``data.py`` the only module that reads the serving
file, ``launcher.py`` starts it (``pipeline dashboard``)."""
