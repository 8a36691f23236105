"""A static folder to host anywhere: an index of meetings, each agenda in its participants' languages,
the organisation's feed and one per collective. Composes the capabilities; the command line calls it."""
