"""Statistics over the record: credibility estimates, forecast scores and backtests.

Every module in this package is pure: it takes values and returns values, with no I/O, no database and no
clock (a date "now" is always an argument). That keeps the numbers reproducible from a bundle and lets the
tests check them against the worked examples in the reference notes.
"""
