"""Signal receivers: thin, they only call services.

Publishing a meeting bumps its calendar SEQUENCE: that receiver is shared by every dated page type
(meetings, events) and lives in `core.dated` (`dated_published` → `dated_bump_sequence`).
"""
