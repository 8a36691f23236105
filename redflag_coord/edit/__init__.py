"""Every rewrite of a data file: canonical formatting, the layout emitter, sealing private values.
All writes go through repo.fsio; this is the layer that knows tomlkit."""
