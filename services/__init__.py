"""Where the engine meets storage: one function per use case that the pages and the command line share.

Each use case opens its own transactions (`storage.db.session_scope`); callers hand in the `Storage`
(database and artifact store) made once per process, and never touch the repository themselves.
"""
