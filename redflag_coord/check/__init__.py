"""Every check across files, as one table of named checks (check.registry) that `validate`, its
streaming path and `validate --changed` all walk. Reads the organisation (org); writes nothing."""
