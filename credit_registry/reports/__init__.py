"""PDF reports (WeasyPrint, typeset for Chinese) with verification codes.

- ``data``: what each report says — read helpers over the ledger's selectors;
- ``charts``: SVG charts drawn on the server;
- ``documents``: typesetting, issuing a verification code, checking a presented code or file;
- ``issue``: one function per report that puts the three together.
"""
