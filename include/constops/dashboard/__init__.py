"""What the operations pages and the HTML report show, read from the reporting database.

``day_view`` and ``trend`` read a day's (or the history's) results into tables,
``calendar`` says which days are computed, ``figures`` turns them into Plotly figures,
``pages`` renders the HTML that both the Airflow plugin and ``make report`` serve.
Nothing here imports Airflow: the plugin adds what only Airflow knows (its runs).
"""
