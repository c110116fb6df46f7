"""Importing and exporting the ledger: templates per record kind, streaming all-or-nothing
imports in batches (.xlsx, .csv), record and rollup exports, and filling a superior
office's Excel template by a saved mapping.

- ``columns``: the columns of each record kind (Chinese headers), reading and writing cells;
- ``readers``: opening a file and streaming its rows (.xlsx read-only, .csv in UTF-8 or
  GB18030), rejecting legacy .xls and merged cells;
- ``imports``: ``ledger_import`` and ``import_batch_undo``;
- ``exports``: ``export_records`` and ``export_rollup`` (.csv with a BOM, .xlsx);
- ``templates``: the empty template of a record kind to download;
- ``mapping``: ``ExportTemplate`` services (create, update, delete, fill);
- ``cli``: what the import, import-undo, export and template commands share.
"""
