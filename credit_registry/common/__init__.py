"""The floor of the house: helpers every app may use and that import no app of ours.

Academic years, working days on China's official calendar, identity numbers and masking, the one
rate limiter, the client's address, QR codes, error texts, name search and spreadsheet reading.
The import contracts in ``pyproject.toml`` keep this package free of the apps above it.
"""
